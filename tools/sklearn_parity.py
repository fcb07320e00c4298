"""Run scikit-learn's own tests with skunlearn's classes swapped in (issue 14, "drop-in parity").

The script copies four test modules from the *installed* scikit-learn (located through
``sklearn.__file__``; nothing is vendored) into a temporary directory::

    sklearn/linear_model/tests/test_logistic.py
    sklearn/linear_model/tests/test_ridge.py
    sklearn/preprocessing/tests/test_data.py
    sklearn/tests/test_pipeline.py

and rewrites them so that ``LogisticRegression``, ``Ridge``, ``StandardScaler``,
``MinMaxScaler``, ``MaxAbsScaler``, ``Pipeline`` and ``make_pipeline`` name skunlearn's
objects:

- every ``from <sklearn module> import ...`` statement (at any depth, in functions too) that
  imports one of them, under any alias, gets a re-import from skunlearn appended *on the same
  line* (``...; from skunlearn.linear_model import Ridge as Ridge``), so the test files keep
  scikit-learn's line numbers;
- every attribute reference ``<module alias>.Ridge`` (after ``from sklearn import
  linear_model`` or ``import sklearn.linear_model as lm``) is replaced by skunlearn's object.

Whether a name is one of the seven is decided by identity with scikit-learn's object, so a
private path such as ``sklearn.linear_model._ridge`` counts too. After import, the plugin
checks every test module's namespace and reports any name still bound to scikit-learn's
original (``unsubstituted``).

pytest then runs in the temporary directory (``-p no:cacheprovider``, scikit-learn's
``sklearn.conftest`` loaded for its fixtures, the worktree's skunlearn first on
``sys.path``) with the plugin ``tools/_sklearn_parity_plugin.py``. The plugin records, per
test, the outcome, the error, and which of the substituted classes the test constructed or
touched (instrumented ``__init__`` and ``__getattribute__`` plus the test's parameters), and
writes a JSON report that this script parses. A module-level construction that fails at
import time (for example ``Ridge(solver="svd")`` in a ``parametrize`` list) is deferred to the
tests that receive the instance, instead of failing the whole module; those constructions are
listed in the output.

Usage, from the root of the repository::

    python tools/sklearn_parity.py                      # all four files
    python tools/sklearn_parity.py --files ridge -k "not array_api"
    python tools/sklearn_parity.py --failures failures.md --json raw.json
    python tools/sklearn_parity.py --baseline           # scikit-learn's own classes

It prints, per file and in total: tests collected, run, skipped, those among the run tests
that use the substituted classes, how many of those passed and failed, the pass rate, and the
wall time. ``--failures FILE`` writes every failing test id with the first line of its error,
grouped by cause (exception type and normalised message), largest group first.
``--baseline`` runs the unmodified copies with scikit-learn's classes instrumented instead: the
ceiling for the same counts in this environment.

The exit status is 0 when the run completed (whatever the pass rate), 1 otherwise.
"""

import argparse
import ast
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import types
from collections import Counter, defaultdict
from pathlib import Path

import sklearn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _sklearn_parity_plugin import TARGETS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FILES = {
    "logistic": "linear_model/tests/test_logistic.py",
    "ridge": "linear_model/tests/test_ridge.py",
    "data": "preprocessing/tests/test_data.py",
    "pipeline": "tests/test_pipeline.py",
}


def _originals():
    """``id`` of each of scikit-learn's seven objects -> its name."""
    return {
        id(getattr(importlib.import_module(sk), name)): name for name, (_, sk) in TARGETS.items()
    }


def _imported(module, name):
    """The object ``from module import name`` binds, or None."""
    try:
        return getattr(importlib.import_module(module), name)
    except AttributeError:
        pass
    except ImportError:
        return None
    try:
        return importlib.import_module(f"{module}.{name}")
    except ImportError:
        return None


class _Rewriter(ast.NodeVisitor):
    """Collect the edits that re-bind the seven names; see the module docstring."""

    def __init__(self):
        self.originals = _originals()
        self.modules = {}  # local name -> dotted scikit-learn module it is bound to
        self.edits = []  # (line, col, end_line, end_col, text)
        self.log = []

    def visit_ImportFrom(self, node):
        if node.level or not (node.module or "").startswith("sklearn"):
            return
        extra = []
        for alias in node.names:
            if alias.name == "*":
                names = [n for n in TARGETS if id(_imported(node.module, n)) in self.originals]
                extra += [f"from {TARGETS[n][0]} import {n}" for n in names]
                continue
            obj = _imported(node.module, alias.name)
            local = alias.asname or alias.name
            if id(obj) in self.originals:
                name = self.originals[id(obj)]
                extra.append(f"from {TARGETS[name][0]} import {name} as {local}")
            elif _is_sklearn_module(obj):
                self.modules[local] = obj.__name__
        if extra:
            text = "; " + "; ".join(extra)
            self.edits.append((node.end_lineno, node.end_col_offset, None, None, text))
            self.log.append(f"line {node.lineno}: {', '.join(extra)}")

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name.split(".")[0] == "sklearn":
                local = alias.asname or alias.name.split(".")[0]
                self.modules[local] = alias.name if alias.asname else "sklearn"

    def visit_Attribute(self, node):
        dotted = _dotted(node.value)
        module = self._resolve(dotted) if dotted else None
        obj = _imported(module, node.attr) if module else None
        if id(obj) in self.originals:
            name = self.originals[id(obj)]
            text = f'__import__("{TARGETS[name][0]}", fromlist=["{name}"]).{name}'
            self.edits.append(
                (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, text)
            )
            self.log.append(f"line {node.lineno}: {dotted}.{node.attr} -> skunlearn's {name}")
        else:
            self.generic_visit(node)

    def _resolve(self, dotted):
        head, _, rest = dotted.partition(".")
        if head not in self.modules:
            return None
        return f"{self.modules[head]}.{rest}" if rest else self.modules[head]


def _is_sklearn_module(obj):
    return isinstance(obj, types.ModuleType) and obj.__name__.startswith("sklearn")


def _dotted(node):
    """``a.b.c`` for a chain of names and attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def substitute(source):
    """Return ``source`` with the seven names re-bound to skunlearn, and a log of the edits.

    Line numbers are preserved: re-imports go on the line where the import ends and
    attribute references are replaced in place (multi-line ones are refused).
    """
    rewriter = _Rewriter()
    rewriter.visit(ast.parse(source))
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line.encode()))
    data = source.encode()
    for line, col, end_line, end_col, text in sorted(rewriter.edits, reverse=True):
        if end_line is None:
            start = stop = offsets[line - 1] + col
        elif end_line != line:
            raise ValueError(f"multi-line reference at line {line} cannot be rewritten")
        else:
            start, stop = offsets[line - 1] + col, offsets[end_line - 1] + end_col
        data = data[:start] + text.encode() + data[stop:]
    return data.decode(), rewriter.log


def _run_pytest(workdir, names, args, report):
    """Run pytest in ``workdir`` on ``names``; return (wall seconds, return code)."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-p",
        "sklearn.conftest",
        "-p",
        "_sklearn_parity_plugin",
        "--parity-json",
        str(report),
        "--parity-mode",
        "sklearn" if args.baseline else "skunlearn",
        *(["--parity-drop-unknown"] if args.drop_unknown_params else []),
        "--rootdir",
        str(workdir),
        "-q",
        "--no-header",
        "-rN",
        "--tb=line",
        *(["-k", args.k] if args.k else []),
        *names,
    ]
    paths = [str(REPO), str(Path(__file__).resolve().parent)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths + [os.environ.get("PYTHONPATH", "")]))
    log = workdir / "pytest.log"
    start = time.perf_counter()
    with open(log, "w") as out:
        code = subprocess.run(command, cwd=workdir, env=env, stdout=out, stderr=out).returncode
    wall = time.perf_counter() - start
    if code not in (0, 1) or not report.exists():
        sys.stderr.write(log.read_text()[-5000:])
    return wall, code


RAN = ("passed", "failed", "error", "xfailed", "xpassed")
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?!\w)")


def cause(record):
    """Group key of a failure: exception type and its first line, numbers and addresses masked."""
    message = re.sub(r"0x[0-9a-fA-F]+", "0x?", record.get("message", ""))
    message = re.sub(r"array\(\[[^]]*\]\)", "array([...])", message)
    message = re.sub(r"for estimator .*?\. Valid", "for estimator <...>. Valid", message)
    message = re.sub(r"\{([^{}]*)\}", _sorted_set, message)
    message = re.sub(r"\s+", " ", _NUMBER.sub("<n>", message)).strip()
    return f"{record.get('error_type', '?')}: {message[:160]}"


def _sorted_set(match):
    """``{'b', 'a'}`` -> ``{'a', 'b'}``: set reprs vary between runs."""
    return "{" + ", ".join(sorted(match[1].split(", "))) + "}"


def _counts(records):
    """Counts for one file (or all): see the table printed by :func:`summarise`."""
    outcomes = Counter(r["outcome"] for r in records)
    ours = [r for r in records if r["outcome"] in RAN and r.get("used")]
    ours_outcomes = Counter(r["outcome"] for r in ours)
    passed = ours_outcomes["passed"] + ours_outcomes["xpassed"]
    failed = ours_outcomes["failed"] + ours_outcomes["error"]
    others = [r for r in records if r["outcome"] in RAN and not r.get("used")]
    return {
        "collected": len(records),
        "ran": sum(outcomes[o] for o in RAN),
        "skipped": outcomes["skipped"],
        "ours": len(ours),
        "passed": passed,
        "failed": failed,
        "xfailed": ours_outcomes["xfailed"],
        "rate": passed / (passed + failed) if passed + failed else float("nan"),
        "others_failed": sum(r["outcome"] in ("failed", "error") for r in others),
        "others": len(others),
        "seconds": sum(r.get("seconds", 0.0) for r in records),
    }


def summarise(report, wall):
    """The printed summary: one row per file, then totals and the run's notes."""
    by_file = defaultdict(list)
    for nodeid, record in report["tests"].items():
        by_file[nodeid.split("::")[0]].append(record)
    header = (
        f"{'file':<18}{'collected':>10}{'ran':>6}{'skipped':>8}{'ours':>6}{'passed':>7}"
        f"{'failed':>7}{'xfail':>6}{'rate':>7}{'others':>8}{'oth.fail':>9}{'secs':>7}"
    )
    lines = [header]
    rows = [(name, _counts(records)) for name, records in sorted(by_file.items())]
    rows.append(("total", _counts([r for records in by_file.values() for r in records])))
    for name, c in rows:
        lines.append(
            f"{name:<18}{c['collected']:>10}{c['ran']:>6}{c['skipped']:>8}{c['ours']:>6}"
            f"{c['passed']:>7}{c['failed']:>7}{c['xfailed']:>6}{c['rate']:>7.1%}"
            f"{c['others']:>8}{c['others_failed']:>9}{c['seconds']:>7.0f}"
        )
    lines.append(_by_class(report["tests"].values()))
    lines += [
        "ours = run (not skipped) and constructed or received a substituted class; "
        "rate = passed / (passed + failed) among ours;",
        "others = run without using them; secs = pytest's per-test durations summed.",
        f"deselected (-k): {report['deselected']}; wall time: {wall:.0f} s (pytest session: "
        f"collection {report['collection_seconds']:.0f} s, tests {report['run_seconds']:.0f} s)",
    ]
    dropped = [r for r in report["tests"].values() if r.get("dropped")]
    if dropped:
        passed = sum(r["outcome"] in ("passed", "xpassed") for r in dropped)
        lines.append(f"probe: {len(dropped)} tests had keywords dropped, {passed} of them passed")
    for item in report["import_failures"]:
        lines.append(f"deferred import-time construction {item['where']}: {item['error']}")
    for error in report["collection_errors"]:
        lines.append(f"collection error {error['nodeid']}: {' '.join(error['error'])}")
    if report["unsubstituted"]:
        lines.append(f"names still bound to scikit-learn: {', '.join(report['unsubstituted'])}")
    return "\n".join(lines)


def _by_class(records):
    """One line: passed/run among the run tests that used each class (a test may use several)."""
    parts = []
    for name in sorted({n for r in records for n in r.get("used", ())}):
        using = [r for r in records if r["outcome"] in RAN and name in r.get("used", ())]
        passed = sum(r["outcome"] in ("passed", "xpassed") for r in using)
        failed = sum(r["outcome"] in ("failed", "error") for r in using)
        parts.append(f"{name} {passed}/{passed + failed}")
    return "passed/(passed+failed) by class used: " + ", ".join(parts)


def failures_text(report):
    """Every failing test that uses the substituted classes, grouped by cause."""
    groups = defaultdict(list)
    for nodeid, record in report["tests"].items():
        if record["outcome"] in ("failed", "error") and record.get("used"):
            groups[cause(record)].append((nodeid, record))
    out = [f"# {sum(map(len, groups.values()))} failing tests in {len(groups)} groups\n"]
    for key, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append(f"\n## {len(members)} x {key}\n")
        for nodeid, record in sorted(members):
            where = _short(record.get("raised_at", "?"))
            line = record.get("test_line")
            first = f"{record.get('error_type')}: {record.get('message', '')}"[:300]
            dropped = f" [dropped: {', '.join(record['dropped'])}]" if "dropped" in record else ""
            out.append(f"- {nodeid} (test line {line}; raised at {where}): {first}{dropped}")
    return "\n".join(out) + "\n"


def _short(path):
    for marker in ("site-packages/", f"{REPO}/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return Path(path).name if "sklearn_parity_" in path else path


def _prepare(workdir, keys, baseline):
    """Copy (and unless ``baseline``, rewrite) the chosen test files; return names and log."""
    source_root = Path(sklearn.__file__).resolve().parent
    names, log = [], {}
    for key in keys:
        source = (source_root / FILES[key]).read_text()
        name = Path(FILES[key]).name
        if not baseline:
            source, log[name] = substitute(source)
        (workdir / name).write_text(source)
        names.append(name)
    (workdir / "pytest.ini").write_text("[pytest]\n")
    return names, log


def _parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", nargs="+", choices=list(FILES), default=list(FILES))
    parser.add_argument("-k", help="pytest -k expression, passed through")
    parser.add_argument("--failures", type=Path, help="write failures grouped by cause here")
    parser.add_argument("--json", type=Path, help="write the raw per-test report here")
    parser.add_argument(
        "--baseline", action="store_true", help="run scikit-learn's own classes (no rewrite)"
    )
    parser.add_argument("--show-rewrites", action="store_true", help="print each edit made")
    parser.add_argument(
        "--drop-unknown-params",
        action="store_true",
        help="probe, not a parity measurement: drop constructor keywords our classes lack "
        "(recorded per test) to see what fails behind them",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = _parse_args(argv)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sklearn_parity_") as tmp:
        workdir = Path(tmp)
        names, log = _prepare(workdir, args.files, args.baseline)
        json_path = workdir / "report.json"
        pytest_wall, code = _run_pytest(workdir, names, args, json_path)
        if not json_path.exists():
            print(f"pytest exited with status {code} and wrote no report", file=sys.stderr)
            return 1
        report = json.loads(json_path.read_text())
    report.update(rewrites=log, pytest_seconds=pytest_wall, sklearn=sklearn.__version__)
    if args.show_rewrites:
        for name, edits in log.items():
            print("\n".join(f"{name} {edit}" for edit in edits))
    side = "scikit-learn's own classes" if args.baseline else "skunlearn's classes"
    if args.drop_unknown_params:
        side += " (probe: unknown constructor keywords dropped)"
    print(f"scikit-learn {sklearn.__version__} tests with {side}; pytest exit status {code}")
    print(summarise(report, time.perf_counter() - start))
    if args.failures:
        args.failures.write_text(failures_text(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
