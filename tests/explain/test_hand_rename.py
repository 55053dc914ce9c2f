"""Class 7: a table renamed by hand with the old rename semantics; its children still point at the old name."""

from conftest import driftaudit
from propose_helpers import repair, same_rows, shell


def test_rename_not_propagated_is_one_fk_target(built_samples):
    run = driftaudit("report", "--format", "json", cwd=built_samples("drift_hand_rename"))
    assert run.code == 1, run.stderr
    [finding] = [f for f in run.json["findings"] if f["severity"] in ("warning", "error")]
    assert (finding["kind"], finding["table"], finding["column"]) == ("fk-target", "library_book", "author_id")
    assert finding["signature"] == "M=H≠D"
    assert finding["sources"]["database"] == "library_author(id)"
    assert finding["sources"]["models"] == "library_writer(id)"
    assert finding["cause"] == "manual-sql"
    assert finding["migration"] == "library.0002_rename_author_table"
    assert finding["impact"]["rows_referencing_missing_table"] == {"table": "library_author", "count": 1}
    # the rows behind it are the same fact, not orphans let in with checks off
    assert not [f for f in run.json["findings"] if f["kind"] == "orphan-rows"]


def test_rename_not_propagated_is_repaired(sample_copy):
    project = sample_copy("drift_hand_rename")
    before, after, files, _ = repair(project)
    same_rows(before, after, {})
    out = shell(project, """
        from library.models import Author, Book
        Book.objects.create(title="Repair", author=Author.objects.get(name="Ann"))
        print(Book.objects.count())
    """)
    assert out.strip().splitlines()[-1] == "2"
