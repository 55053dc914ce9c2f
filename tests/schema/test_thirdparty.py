"""Third-party apps from PyPI (django-allauth, django-axes): their long migration histories,
written by other people across a decade of Django releases, must audit clean when migrated
fresh - and a migration of theirs recorded with ``migrate --fake`` must be found and named.

The packages come from the ``test`` extra (pyproject.toml); driftaudit itself never imports them.
"""

from conftest import driftaudit, manage

#: What the two faked migrations would have done (read from the packages' migration files):
#: account.0007_emailaddress_idx_email removes the index on UPPER("email") that 0005 added and
#: gives email db_index=True; axes.0009_add_session_hash adds AccessLog.session_hash.
FAKED = {
    ("index-missing", "account_emailaddress", "email"): "account.0007_emailaddress_idx_email",
    ("index-extra", "account_emailaddress", 'UPPER("email")'): "account.0007_emailaddress_idx_email",
    ("missing-column", "axes_accesslog", "session_hash"): "axes.0009_add_session_hash",
}


def test_freshly_migrated_thirdparty_apps_report_nothing(built_samples):
    run = driftaudit("report", "--format", "json", "--fail-on", "info", cwd=built_samples("clean_thirdparty"))
    assert run.code == 0, run.stdout + run.stderr
    assert run.json["findings"] == []
    applied = set(run.json["history"]["applied"])
    # the whole histories were audited, not just an initial migration
    assert {"account.0009_emailaddress_unique_primary_email", "axes.0010_accessattemptexpiration",
            "usersessions.0001_initial"} <= applied
    assert run.json["history"]["ghost"] == [] and run.json["history"]["unapplied"] == []


def test_faked_thirdparty_migrations_are_found_and_named(sample_copy):
    """``migrate app NNNN --fake`` after migrating to NNNN-1, then the rest for real."""
    project = sample_copy("clean_thirdparty")
    (project / "db.sqlite3").unlink()
    for args in (("migrate", "account", "0006"), ("migrate", "account", "0007", "--fake"),
                 ("migrate", "axes", "0008"), ("migrate", "axes", "0009", "--fake"), ("migrate",)):
        result = manage(project, *args)
        assert result.code == 0, result.stdout + result.stderr

    run = driftaudit("report", "--format", "json", "--fail-on", "warning", cwd=project)
    assert run.code == 1, run.stdout + run.stderr
    findings = run.json["findings"]
    found = {(f["kind"], f["table"], f["column"]): f for f in findings}
    assert set(found) == set(FAKED)
    for key, migration in FAKED.items():
        finding = found[key]
        assert finding["cause"] == "faked-migration", finding
        assert finding["migration"] == migration, finding
        assert finding["signature"] == "M=H≠D"
        assert migration in finding["explanation"]
    assert found[("missing-column", "axes_accesslog", "session_hash")]["severity"] == "error"
    assert found[("index-extra", "account_emailaddress", 'UPPER("email")')]["severity"] == "warning"
    # the later migrations of both apps ran for real and are not blamed
    assert {f["migration"] for f in findings} == set(FAKED.values())
    assert "account.0009_emailaddress_unique_primary_email" in run.json["history"]["applied"]
