"""Every ``examples/plot_*.py`` runs with the Agg backend, and its checks agree.

Each example prints one line per check ("<claim>: agrees" or "<claim>: does
not agree"), then an overall "<title>: agrees", and exits non-zero when a
check does not agree.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))
VERDICT = re.compile(r"^(?P<claim>.+): (?P<verdict>agrees|does not agree)$")
FAILURE_EXIT = "if not all(checks.values()):\n    raise SystemExit("


def _run(script, cwd):
    # A fresh interpreter per example: no state leaks between scripts, and
    # files an example writes land in a temporary directory.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": path}
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _verdicts(stdout):
    return [match.groupdict() for match in map(VERDICT.match, stdout.splitlines()) if match]


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_runs_and_its_checks_agree(script, tmp_path):
    completed = _run(script, tmp_path)
    report = f"{script.name}:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
    assert completed.returncode == 0, report
    verdicts = _verdicts(completed.stdout)
    assert len(verdicts) >= 3, report  # at least two checks and the overall line
    assert all(v["verdict"] == "agrees" for v in verdicts), report
    overall = verdicts[-1]["claim"]
    assert not any(v["claim"] == overall for v in verdicts[:-1]), report


@pytest.mark.parametrize("script", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_exits_non_zero_when_a_check_fails(script):
    source = script.read_text()
    assert source.count("\nchecks = {\n") == 1
    assert FAILURE_EXIT in source


@pytest.mark.slow
def test_a_failing_check_makes_the_example_exit_non_zero(tmp_path):
    script = ROOT / "examples" / "plot_random_forget_sets.py"
    broken = tmp_path / script.name
    source = script.read_text().replace("\nchecks = {\n", '\nchecks = {\n    "forced": False,\n')
    broken.write_text(source)
    completed = _run(broken, tmp_path)
    assert completed.returncode != 0
    assert "forced: does not agree" in completed.stdout
