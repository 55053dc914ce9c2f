"""Building a sample leaves its committed files as they are (``make samples`` builds in place:
a story that edits a tracked file must end where the commit is)."""

import subprocess

import pytest
from conftest import REPO, SAMPLES

STORIES = sorted(p.parent.name for p in SAMPLES.glob("*/build.py"))


def _tracked(sample: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", f"sample_projects/{sample}"], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    return [line.split("/", 2)[2] for line in out.splitlines()]


@pytest.mark.parametrize("sample", STORIES)
def test_a_build_leaves_every_tracked_file_as_committed(sample, built_samples):
    tracked = _tracked(sample)
    assert tracked, f"git knows no file of sample_projects/{sample}: run the tests from the repository"
    built = built_samples(sample)
    changed = [name for name in tracked
               if (built / name).is_file() and (built / name).read_bytes() != (SAMPLES / sample / name).read_bytes()]
    assert changed == []
