"""Rows the repaired schema rejects - NULLs under a new NOT NULL, rows failing a new CHECK -
counted by ``report`` and set aside by the repair per ``fix.nulls`` / ``fix.check_violations``
(sample ``data_rejected``: a faked migration that `migrate` could not run on these rows)."""

from __future__ import annotations

from conftest import driftaudit, manage
from propose_helpers import query, repair, same_rows


def test_report_counts_the_rows_before_the_repair(built_samples):
    report = driftaudit("report", "--format", "json", cwd=built_samples("data_rejected")).json
    rows = {(f["kind"], f["column"]): (f["count"], f["impact"]["pks"]) for f in report["findings"]
            if f["kind"] in ("null-rows", "check-violation-rows")}
    assert rows == {("null-rows", "weight"): (2, [2, 5]),
                    ("check-violation-rows", "stock"): (1, [3]),
                    ("check-violation-rows", "price"): (1, [4])}


def test_default_policy_quarantines_them_with_their_reason_and_the_reverse_puts_them_back(sample_copy):
    project = sample_copy("data_rejected")
    before, after, files, _ = repair(project)
    same_rows(before, after, {"shop_product": 2, "driftaudit_quarantine_shop_product": 2,
                              "driftaudit_quarantine_shop_product_2": 2})
    assert query(project, 'SELECT "driftaudit_reason", "id" FROM "driftaudit_quarantine_shop_product" '
                          'ORDER BY "id"') == [("NULL in NOT NULL column(s) weight (no default to fill it)", 2),
                                               ("NULL in NOT NULL column(s) weight (no default to fill it)", 5)]
    reasons = query(project, 'SELECT "driftaudit_reason", "id" FROM "driftaudit_quarantine_shop_product_2" '
                             'ORDER BY "id"')
    assert [r[1] for r in reasons] == [3, 4] and all(r[0].startswith("fails CHECK (") for r in reasons)
    # the rows the models accept are untouched
    assert query(project, 'SELECT "id", "stock", "weight" FROM "shop_product" ORDER BY "id"') == \
        [(1, 5, 300), (6, 3, 40)]
    # reversing the repair: the old schema allowed them, so every row is back in its table
    assert manage(project, "migrate", "shop", "0002").code == 0
    assert query(project, 'SELECT count(*) FROM "shop_product"') == [(6,)]
    tables = {n for (n,) in query(project, "SELECT name FROM sqlite_master WHERE name LIKE 'driftaudit_%'")}
    assert tables == set()


def test_fail_policy_refuses_and_lists_the_rows(sample_copy):
    project = sample_copy("data_rejected")
    (project / "driftaudit.yaml").write_text("fix:\n  nulls: fail\n  check_violations: fail\n")
    run = driftaudit("propose", cwd=project)
    assert run.code == 1
    text = " ".join(run.stderr.split())
    assert "shop_product: 2 row(s) have NULL in (weight)" in text and "rows 2, 5" in text
    assert "fail CHECK (" in text and "fix.check_violations is `fail`" in text
    assert not list(project.glob("shop/migrations/*driftaudit*"))


def test_delete_policy_backs_the_rows_up_then_deletes_them(sample_copy):
    project = sample_copy("data_rejected")
    (project / "driftaudit.yaml").write_text("fix:\n  nulls: delete\n  check_violations: delete\n")
    before, after, files, _ = repair(project)
    same_rows(before, after, {"shop_product": 2, "driftaudit_backup_shop_product__nulls": 2,
                              "driftaudit_backup_shop_product__checks": 2})
