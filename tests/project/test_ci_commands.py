"""CI runs the README's commands verbatim: the tests and the documentation build.

A command changed in one place and not the other would let CI check something
other than what users are told to run.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands():
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_ci_runs_the_readme_test_and_docs_commands():
    commands = _readme_commands()
    tests = [c for c in commands if c.endswith("python -m pytest")]
    docs = [c for c in commands if "python -m sphinx" in c]
    assert len(tests) == 1 and len(docs) == 1, commands
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests[0] in ci and docs[0] in ci
    assert "-W --keep-going" in docs[0]  # warnings are errors, every problem reported
