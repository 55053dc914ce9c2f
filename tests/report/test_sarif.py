"""``--format sarif`` points at the code a finding is about and keeps a finding's identity
across runs; real command-line runs on built samples (validation against the official schema
for every sample is in test_machine_formats.py)."""

from __future__ import annotations

from pathlib import Path

from conftest import clean_env, driftaudit

from driftaudit.config.rules import load_catalog


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if line.strip().startswith(text))


def sarif(project, env=None) -> dict:
    run = driftaudit("report", "--format", "sarif", cwd=project, env=env)
    assert run.code in (0, 1), run.stderr
    return run.json["runs"][0]


def physical(result) -> tuple[str, int]:
    location = result["locations"][0]["physicalLocation"]
    return location["artifactLocation"]["uri"], location["region"]["startLine"]


def test_a_missing_column_points_at_its_model_field(built_samples):
    project = built_samples("history_faked")
    run = sarif(project)
    [result] = run["results"]
    assert result["ruleId"] == "DA105" and result["level"] == "error"
    assert physical(result) == ("appname/models.py", line_of(project / "appname/models.py", "rank = "))
    assert result["locations"][0]["logicalLocations"] == [
        {"name": "rank", "fullyQualifiedName": "appname_exampletwo.rank", "kind": "column"}]
    assert result["properties"]["cause"] == "faked-migration" and result["properties"]["group"] == "G1"


def test_migration_findings_point_at_the_migration_and_gone_fields_at_the_class(built_samples):
    project = built_samples("seed_example")
    results = {r["properties"]["kind"]: r for r in sarif(project)["results"]}
    migration = project / "appname/migrations/0001_initial.py"
    assert physical(results["rewritten-migration"]) == ("appname/migrations/0001_initial.py",
                                                        line_of(migration, "class Migration"))
    # the ManyToManyField is gone from the models: its owner's class line
    assert physical(results["stale-table"]) == ("appname/models.py", line_of(project / "appname/models.py",
                                                                             "class ExampleOne"))


def test_a_removed_apps_leftovers_point_at_installed_apps(built_samples):
    project = built_samples("drift_removed_app")
    settings = next(project.glob("*/settings.py"))
    for result in sarif(project)["results"]:
        assert physical(result) == (settings.relative_to(project).as_posix(), line_of(settings, "INSTALLED_APPS"))


def test_rules_come_from_the_catalog():
    from driftaudit.report.sarif import _rule

    for rule in load_catalog().values():
        described = _rule(rule)
        assert described["id"] == rule.id and described["shortDescription"]["text"] == rule.title
        assert described["properties"]["kind"] == rule.kind


def test_fingerprints_survive_moved_lines_and_paths_follow_github_workspace(sample_copy):
    project = sample_copy("history_faked")
    before = sarif(project)["results"][0]
    models = project / "appname/models.py"
    models.write_text("# a comment\n# and another\n\n" + models.read_text())
    after = sarif(project)["results"][0]
    assert physical(after)[1] == physical(before)[1] + 3
    assert after["partialFingerprints"] == before["partialFingerprints"]

    env = {**clean_env(), "GITHUB_WORKSPACE": str(project.parent)}
    in_ci = sarif(project, env)
    assert physical(in_ci["results"][0]) == (f"{project.name}/appname/models.py", physical(after)[1])
    assert in_ci["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.parent.resolve().as_uri() + "/"


def test_an_accepted_finding_is_a_suppressed_result(sample_copy):
    project = sample_copy("history_faked")
    (project / "driftaudit.yaml").write_text(
        "accept:\n  - rule: DA105\n    table: appname_exampletwo\n    column: rank\n    reason: added by the DBA\n")
    [result] = sarif(project)["results"]
    assert result["suppressions"] == [{"kind": "external", "justification": "added by the DBA"}]
