"""pytest plugin used by ``tools/sklearn_parity.py``; not meant to be loaded by hand.

It instruments the substituted classes in place (``__init__``, ``__getattribute__``,
``__repr__``) so that every test that constructs one of them or touches an instance of one
(a parametrized instance, a fixture, a module-level object) is recorded, with no guessing
from the source text. It also records each test's outcome and error, and writes one JSON
report at the end of the session (``--parity-json``).

A constructor that raises while a test module is being imported (a module-level
``Ridge(solver="svd")`` inside ``@pytest.mark.parametrize``) would make the whole module
fail to import. Such an instance is kept "deferred": it gets its valid parameters (so that
pytest can build test ids from its repr, which shows the original call), and the first
attribute access on it inside a test raises the constructor's error again, so exactly the
tests that receive it fail, with that error.
"""

import importlib
import inspect
import json
import sys
import time
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve()

#: Substituted names: name -> (skunlearn module, scikit-learn module).
TARGETS = {
    "LogisticRegression": ("skunlearn.linear_model", "sklearn.linear_model"),
    "Ridge": ("skunlearn.linear_model", "sklearn.linear_model"),
    "StandardScaler": ("skunlearn.preprocessing", "sklearn.preprocessing"),
    "MinMaxScaler": ("skunlearn.preprocessing", "sklearn.preprocessing"),
    "MaxAbsScaler": ("skunlearn.preprocessing", "sklearn.preprocessing"),
    "Pipeline": ("skunlearn.pipeline", "sklearn.pipeline"),
    "make_pipeline": ("skunlearn.pipeline", "sklearn.pipeline"),
}


class _State:
    """What the running session has seen so far (one per process)."""

    current = None  # node id of the running test, None outside setup/call/teardown
    used = set()  # class names used by the running test
    drop_unknown = False  # probe mode: drop constructor keywords the class lacks
    dropped = set()  # keywords dropped for the running test (probe mode)
    classes = ()  # the instrumented classes
    deferred = {}  # id(instance) -> (instance, exception, call text, "file:line")
    import_failures = []  # one dict per deferred module-level construction
    results = {}  # node id -> record
    collection_errors = []
    unsubstituted = []
    n_selected = 0
    n_deselected = 0
    clock = {}  # "start", "collected", "finished": time.perf_counter() readings


def pytest_addoption(parser):
    group = parser.getgroup("sklearn-parity")
    group.addoption("--parity-json", help="where to write the JSON report")
    group.addoption(
        "--parity-mode",
        choices=("skunlearn", "sklearn"),
        default="skunlearn",
        help="which classes to instrument: skunlearn's (substituted) or scikit-learn's",
    )
    group.addoption(
        "--parity-drop-unknown",
        action="store_true",
        help="probe: drop constructor keywords the class does not accept, and record them",
    )


def pytest_configure(config):
    if config.getoption("--parity-json") is None:
        return
    side = 0 if config.getoption("--parity-mode") == "skunlearn" else 1
    _State.drop_unknown = config.getoption("--parity-drop-unknown")
    classes = []
    for name, modules in TARGETS.items():
        obj = getattr(importlib.import_module(modules[side]), name)
        if inspect.isclass(obj):
            _instrument(obj)
            classes.append(obj)
    _State.classes = tuple(classes)


def _record(name):
    if _State.current is not None:
        _State.used.add(name)


def _instrument(cls):
    """Wrap ``cls.__init__``, ``__getattribute__`` and ``__repr__`` in place."""
    name = cls.__name__
    init, getattribute, represent = cls.__init__, cls.__getattribute__, cls.__repr__

    def __init__(self, *args, **kwargs):
        _record(name)
        if _State.drop_unknown:
            kwargs = _drop_unknown(name, init, kwargs)
        try:
            init(self, *args, **kwargs)
        except Exception as exc:
            if _State.current is not None or type(self) is not cls:
                raise
            _defer(self, cls, init, exc, args, kwargs)

    def __getattribute__(self, attr):
        if _State.current is not None:
            _State.used.add(name)
            if _State.deferred and id(self) in _State.deferred and not attr.startswith("__"):
                _raise_deferred(_State.deferred[id(self)])
        return getattribute(self, attr)

    def __repr__(self):
        if id(self) in _State.deferred:
            return _State.deferred[id(self)][2]
        return represent(self)

    __init__.__wrapped__ = init  # so that inspect.signature (get_params) sees the real one
    cls.__init__, cls.__getattribute__, cls.__repr__ = __init__, __getattribute__, __repr__


def _drop_unknown(name, init, kwargs):
    """Keywords ``init`` accepts; the others are recorded for the running test."""
    accepted = inspect.signature(init).parameters
    for key in kwargs.keys() - accepted.keys():
        _State.dropped.add(f"{name}({key}={kwargs[key]!r:.40})")
    return {k: v for k, v in kwargs.items() if k in accepted}


def _defer(self, cls, init, exc, args, kwargs):
    """Keep a module-level instance whose construction failed; see the module docstring."""
    signature = inspect.signature(init)
    valid = {k: v for k, v in kwargs.items() if k in signature.parameters}
    for param in list(signature.parameters.values())[1:]:
        if param.default is not inspect.Parameter.empty:
            object.__setattr__(self, param.name, valid.get(param.name, param.default))
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    call = f"{cls.__name__}({', '.join(shown)})"
    where = _caller_location()
    _State.deferred[id(self)] = (self, exc, call, where)
    _State.import_failures.append(
        {"call": call, "where": where, "error": f"{type(exc).__name__}: {exc}"}
    )


def _caller_location():
    """``file:line`` of the innermost frame in a copied test module (``test_*.py``)."""
    frame = sys._getframe(2)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.name.startswith("test_"):
            line = frame.f_lineno
            if hasattr(frame.f_code, "co_positions"):  # the call's own line (Python >= 3.11)
                line = list(frame.f_code.co_positions())[frame.f_lasti // 2][0] or line
            return f"{path.name}:{line}"
        frame = frame.f_back
    return "?"


def _raise_deferred(entry):
    _, exc, call, where = entry
    try:
        again = type(exc)(*exc.args)
    except Exception:
        again = RuntimeError(f"{type(exc).__name__}: {exc}")
    again.add_note(f"(raised when {where} built {call} at import time; deferred to the test)")
    raise again


def _instances_in(value, depth=0):
    """Names of instrumented classes among ``value`` and its containers (a few levels)."""
    if isinstance(value, _State.classes):
        return {cls.__name__ for cls in _State.classes if isinstance(value, cls)}
    if depth > 3:
        return set()
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return set().union(*(_instances_in(v, depth + 1) for v in value))
    get_params = getattr(type(value), "get_params", None)
    if get_params is not None and not inspect.isclass(value):
        try:
            return _instances_in(value.get_params(deep=False), depth + 1)
        except Exception:
            return set()
    return set()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    params = getattr(getattr(item, "callspec", None), "params", {})
    received = _instances_in(params)
    _State.used = set(received)
    _State.dropped = set()
    _State.current = item.nodeid
    try:
        return (yield)
    finally:
        _State.current = None
        entry = _State.results.setdefault(item.nodeid, {"outcome": "unknown"})
        entry["used"] = sorted(_State.used)
        entry["received"] = sorted(received)
        if _State.dropped:
            entry["dropped"] = sorted(_State.dropped)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.excinfo is not None and report.failed:
        entry = _State.results.setdefault(item.nodeid, {"outcome": "unknown"})
        if "error_type" not in entry:
            entry.update(_describe(call.excinfo, item, call.when))
    return report


def _describe(excinfo, item, when):
    """Exception type, message, innermost location and the failing line of the test file."""
    text = str(excinfo.value)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    tests_file = Path(str(item.fspath)).name
    test_line = None
    for entry in excinfo.traceback:
        if Path(str(entry.path)).name == tests_file:
            test_line = entry.lineno + 1
    outside = [e for e in excinfo.traceback if Path(str(e.path)).resolve() != _HERE]
    last = outside[-1] if outside else None
    return {
        "when": when,
        "error_type": excinfo.type.__name__,
        "message": lines[0] if lines else "",
        "raised_at": f"{last.path}:{last.lineno + 1}" if last is not None else "?",
        "test_line": test_line,
    }


def pytest_runtest_logreport(report):
    entry = _State.results.setdefault(report.nodeid, {"outcome": "unknown"})
    entry["seconds"] = entry.get("seconds", 0.0) + report.duration
    xfail = hasattr(report, "wasxfail")
    if report.when == "setup":
        if report.skipped:
            entry["outcome"] = "xfailed" if xfail else "skipped"
            entry["reason"] = _skip_reason(report)
        elif report.failed:
            entry["outcome"] = "error"
    elif report.when == "call":
        if xfail:
            entry["outcome"] = "xfailed" if report.skipped else "xpassed"
        else:
            entry["outcome"] = report.outcome
            if report.skipped:
                entry["reason"] = _skip_reason(report)
    elif report.failed and entry["outcome"] == "passed":
        entry["outcome"] = "error"


def _skip_reason(report):
    longrepr = report.longrepr
    return str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)[:200]


def pytest_collectreport(report):
    if report.failed:
        _State.collection_errors.append(
            {"nodeid": report.nodeid, "error": str(report.longrepr).splitlines()[-1:]}
        )


def pytest_sessionstart(session):
    _State.clock["start"] = time.perf_counter()


def pytest_deselected(items):
    _State.n_deselected += len(items)


def pytest_collection_finish(session):
    _State.n_selected = len(session.items)
    _State.clock["collected"] = time.perf_counter()
    if session.config.getoption("--parity-mode") != "skunlearn":
        return
    originals = {
        id(getattr(importlib.import_module(sk), name)): name for name, (_, sk) in TARGETS.items()
    }
    modules = {id(m): m for m in (getattr(i, "module", None) for i in session.items) if m}
    for module in modules.values():
        for key, value in vars(module).items():
            if id(value) in originals:
                _State.unsubstituted.append(f"{module.__name__}.{key}")


def pytest_sessionfinish(session):
    path = session.config.getoption("--parity-json")
    if path is None:
        return
    clock = dict(_State.clock, finished=time.perf_counter())
    report = {
        "mode": session.config.getoption("--parity-mode"),
        "collection_seconds": clock["collected"] - clock["start"],
        "run_seconds": clock["finished"] - clock["collected"],
        "selected": _State.n_selected,
        "deselected": _State.n_deselected,
        "collection_errors": _State.collection_errors,
        "import_failures": _State.import_failures,
        "unsubstituted": _State.unsubstituted,
        "tests": _State.results,
    }
    Path(path).write_text(json.dumps(report, indent=1))
