"""Mutation run: does some test catch each result-changing mutation of the code?

Each mutation below replaces one exact snippet of one file and names the test
file(s) that should catch it. The script checks that every snippet occurs
exactly once (a snippet that moved is reported as such, not silently skipped),
copies the repository to a temporary directory once, runs the named tests on
the unmutated copy (a test that already fails cannot catch anything), then for
each selected mutation applies it, runs the named tests with ``-x`` and
restores the file. It prints a table: the mutation, and the first test that
failed or SURVIVED. The exit status is 1 if a mutation survived, a snippet is
missing or the baseline fails.

Usage::

    python tools/mutation_run.py --list
    python tools/mutation_run.py                  # every mutation (12 to 20 minutes)
    python tools/mutation_run.py certified-bound-local-first-order da-simultaneous-sign
    python tools/mutation_run.py -k certified     # names containing "certified"

To add a mutation, append a ``Mutation(name, file, original, replacement,
tests)`` to the list of its subject
(``tools/mutations_*.py``); ``original`` must occur exactly once in ``file``.
After a refactor moves code, ``--list`` (or any run) names the snippets that
no longer match.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mutations_diagnostics import DIAGNOSTICS_MUTATIONS
from mutations_models import MODELS_MUTATIONS
from mutations_scaleout_certified import SCALEOUT_CERTIFIED_MUTATIONS

MUTATIONS = [*MODELS_MUTATIONS, *DIAGNOSTICS_MUTATIONS, *SCALEOUT_CERTIFIED_MUTATIONS]

ROOT = Path(__file__).resolve().parents[1]


def check_snippets(mutations):
    """Names of the mutations whose snippet is missing or not unique, with the reason."""
    problems = {}
    for mutation in mutations:
        path = ROOT / mutation.file
        if not path.exists():
            problems[mutation.name] = f"file {mutation.file} does not exist"
            continue
        count = path.read_text().count(mutation.original)
        if count != 1:
            where = "not found" if count == 0 else f"found {count} times"
            problems[mutation.name] = (
                f"snippet {where} in {mutation.file} (the code moved? update MUTATIONS)"
            )
    return problems


def copy_repository(target):
    """Tracked and new (not ignored) files, plus numba's on-disk caches, times kept."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    caches = [p.relative_to(ROOT) for p in ROOT.glob("skunlearn/**/__pycache__/*.nb[ic]")]
    for relative in [*listed, *map(str, caches)]:
        source = ROOT / relative
        if source.is_file():
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def run_tests(workdir, tests, timeout):
    """``(caught_by or None, status)`` of pytest with ``-x`` on ``tests``."""
    env = {
        **os.environ,
        "PYTHONPATH": str(workdir),
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
    }
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-rfE"]
    try:
        done = subprocess.run(
            [*command, *tests],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return "(timeout)", "caught"
    failed = [
        line.split(" ", 1)[1].split(" - ")[0]
        for line in done.stdout.splitlines()
        if line.startswith(("FAILED ", "ERROR "))
    ]
    if done.returncode == 0:
        return None, "survived"
    if done.returncode == 1 and failed:
        return failed[0], "caught"
    return f"pytest exit {done.returncode}: {done.stdout[-300:]!r}", "error"


def apply_and_run(workdir, mutation, timeout):
    path = workdir / mutation.file
    original = path.read_text()
    stat = path.stat()
    cache = path.parent / "__pycache__"
    saved = workdir / ".mutation-cache"
    if cache.exists():
        shutil.copytree(cache, saved, dirs_exist_ok=True)
        # numba keys a kernel's on-disk cache on its own file: kernels that inline code
        # from the mutated file would otherwise load stale machine code.
        for compiled in cache.glob("*.nb[ic]"):
            compiled.unlink()
    try:
        path.write_text(original.replace(mutation.original, mutation.replacement, 1))
        return run_tests(workdir, list(mutation.tests), timeout)
    finally:
        path.write_text(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        if saved.exists():
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(saved, cache)
            shutil.rmtree(saved)


def select(args):
    chosen = MUTATIONS
    if args.names:
        unknown = sorted(set(args.names) - {m.name for m in MUTATIONS})
        if unknown:
            raise SystemExit(f"Unknown mutation(s): {', '.join(unknown)} (see --list)")
        chosen = [m for m in chosen if m.name in args.names]
    if args.k:
        chosen = [m for m in chosen if args.k in m.name]
    return chosen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("-k", help="run the mutations whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    args = parser.parse_args(argv)
    chosen = select(args)
    problems = check_snippets(MUTATIONS)
    if args.list:
        for number, mutation in enumerate(MUTATIONS, 1):
            note = f"  !! {problems[mutation.name]}" if mutation.name in problems else ""
            tests = ", ".join(mutation.tests)
            print(f"{number:3d} {mutation.name:<46} {mutation.file}  [{tests}]{note}")
        return 1 if problems else 0
    for name, reason in problems.items():
        print(f"SNIPPET MISSING: {name}: {reason}")
    runnable = [m for m in chosen if m.name not in problems]
    results = run_all(runnable, args)
    if results is None:
        return 1
    survived, errors = results.count("survived"), results.count("error")
    print(
        f"{results.count('caught')} caught, {survived} survived, {errors} errors, "
        f"{len(problems)} missing snippets, of {len(MUTATIONS)} mutations"
    )
    return 1 if survived or errors or problems else 0


def run_all(runnable, args):
    """Statuses of the mutations run on one copy of the repository; None if the baseline fails."""
    with tempfile.TemporaryDirectory(prefix="skunlearn-mutants-") as tmp:
        workdir = Path(tmp)
        copy_repository(workdir)
        if not args.no_baseline:
            tests = sorted({t for m in runnable for t in m.tests})
            failure, status = run_tests(workdir, tests, args.timeout)
            if status != "survived":
                print(f"BASELINE FAILS (unmutated code): {failure}")
                return None
            print(f"baseline: the {len(tests)} test files pass on the unmutated code")
        results = []
        print(f"{'#':>3} {'mutation':<46} {'result':<9} {'caught by':<70} {'s':>5}")
        for number, mutation in enumerate(runnable, 1):
            start = time.perf_counter()
            caught_by, status = apply_and_run(workdir, mutation, args.timeout)
            label = {"caught": "caught", "survived": "SURVIVED", "error": "ERROR"}[status]
            row = f"{number:>3} {mutation.name:<46} {label:<9} {caught_by or '-':<70}"
            print(f"{row} {time.perf_counter() - start:>5.0f}", flush=True)
            results.append(status)
    return results


if __name__ == "__main__":
    sys.exit(main())
