"""The command-line report: forget/retain dependence and the ascent harm prediction, then
every unlearner on one forget set against the oracle, with a one-line verdict each.

Runs on a dataset that scikit-learn ships (``--dataset``) or on the user's own table
(``--data FILE --target COLUMN``); ``_cli_data`` reads the data, ``_cli_forget``
chooses the rows to forget, ``_cli_run`` splits, preprocesses and fits,
``_cli_pipeline`` checks the whole pipeline's deletion, and ``_cli_output`` writes
JSON, CSV and the progress bar. Exit status: 0 on success, 2
for a bad argument or unusable data (one line on standard error, before any work),
130 when interrupted.
"""

import argparse
import math
import sys

import numpy as np

from ._cli_data import BUNDLED, DataError, load_bundled, load_table
from ._cli_estimators import ESTIMATORS, is_classification
from ._cli_forget import Selection, parse_forget
from ._cli_output import Progress, plot_target_error, target_error, write_csv, write_json
from ._cli_pipeline import describe as describe_pipeline
from ._cli_pipeline import pipeline_check
from ._cli_run import MODELS, prepare_run
from ._parameters import parameter_vector
from .diagnostics import dependence_report, unlearning_report
from .unlearners import ALIASES, CertifiedNewton, CertifiedUnlearner

__all__ = ["main", "build_parser"]

# The ensembles cost about 2 * ENSEMBLE_SIZE fits per unlearner: by default they
# are computed only for problems with at most ENSEMBLE_MAX_SIZE rows x parameters.
ENSEMBLE_SIZE = 8
ENSEMBLE_MAX_SIZE = 100_000


class _Parser(argparse.ArgumentParser):
    """Argument errors exit with status 2 and one line on stderr, before any work."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _number(kind, low, high=None, low_open=False):
    """An argparse type: ``kind`` above ``low`` (strictly if ``low_open``), below ``high``."""
    if high is not None:
        bounds = f"in ({low}, {high})" if low_open else f"in [{low}, {high})"
    else:
        bounds = f"> {low}" if low_open else f">= {low}"

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
        below = value <= low if low_open else value < low
        if below or (high is not None and value >= high):
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {text}")
        return value

    return parse


def _unlearner_names(text):
    """An argparse type: comma-separated unlearner aliases."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ALIASES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown unlearner {(unknown or [text])[0]!r}; choose from {', '.join(ALIASES)}"
        )
    return names


UNIT = _number(float, 0.0, 1.0, low_open=True)
POSITIVE = _number(float, 0.0, low_open=True)
# (flag, type, default, help); None defaults are resolved in _resolve_defaults.
NUMBERS = [
    (
        "--forget-fraction",
        UNIT,
        None,
        "fraction of the training rows that --forget random or "
        "cluster forgets, in (0, 1) (default: 0.05)",
    ),
    ("--seed", _number(int, 0), 0, "seed of the split and of the forget set (default: 0)"),
    (
        "--C",
        POSITIVE,
        None,
        "inverse regularisation strength of the C models (logistic, linear_svc; "
        "default: the model's, 1.0)",
    ),
    (
        "--alpha",
        POSITIVE,
        None,
        "penalty of the alpha models (ridge, ridge_classifier, poisson, gamma, tweedie, "
        "huber; default: the model's)",
    ),
    ("--test-size", UNIT, 0.25, "held-out fraction, in (0, 1) (default: 0.25)"),
    ("--repeats", _number(int, 1), 3, "timing repeats, at least 1; the median is shown"),
    (
        "--ensemble",
        _number(int, 0),
        None,
        "models per subsample ensemble for KLoM and U-LiRA "
        f"(0: skip; default: {ENSEMBLE_SIZE} when rows x parameters <= {ENSEMBLE_MAX_SIZE:,}, "
        "else 0)",
    ),
    (
        "--epsilon",
        POSITIVE,
        None,
        "certified removal: also fit the model with CertifiedNewton(epsilon) and report its "
        "removal with the certificate (--unlearner certified alone: epsilon 1)",
    ),
]
METAVARS = {
    "--forget-fraction": "F",
    "--test-size": "F",
    "--seed": "N",
    "--repeats": "N",
    "--ensemble": "N",
}
DESCRIPTION = (
    "Fit a skunlearn model on a dataset that scikit-learn ships or on your own table, "
    "report how the forget set depends on the retain set and whether descent-ascent will "
    "harm (found from a few of its steps, then Newton steps), then forget it with each "
    "unlearner and compare each result with the oracle (a tight refit on the remaining "
    "rows: scikit-learn's, or skunlearn's own for "
    + " and ".join(name for name, (*_, tight) in ESTIMATORS.items() if not tight)
    + ", whose scikit-learn solvers stop short of a tight tolerance), with a one-line "
    "verdict per unlearner. The preprocessing is fitted on "
    "the training rows that remain, as the refit after the deletion would be."
)
EPILOG = (
    "--forget: random | cluster | class:LABEL | ids:FILE | 'COLUMN OP VALUE [and ...]' with "
    "OP one of == != < <= > >= and VALUE a number or a quoted string (a column name with "
    "spaces in backquotes). Exit status: 0 done, 2 bad argument or data, 130 interrupted."
)


SOURCES = [
    (
        "--dataset",
        {
            "choices": sorted(BUNDLED),
            "help": "a dataset that scikit-learn ships "
            "(default: breast_cancer; diabetes is a regression)",
        },
    ),
    ("--data", {"metavar": "FILE", "help": "your table: .csv, or .parquet (needs pyarrow)"}),
]
CHOICES = [
    ("--target", {"metavar": "COLUMN", "help": "--data: the column to predict"}),
    (
        "--id",
        {
            "metavar": "COLUMN",
            "dest": "id_column",
            "help": "--data: a unique row id (not a feature; see --forget ids:FILE)",
        },
    ),
    (
        "--model",
        {
            "choices": list(MODELS),
            "help": "default: logistic for classes, ridge for values (alias: --estimator); "
            "a regressor runs on --dataset diabetes by default",
        },
    ),
    (
        "--unlearner",
        {
            "type": _unlearner_names,
            "action": "append",
            "metavar": "NAME[,NAME]",
            "help": f"repeatable; default: all of {', '.join(ALIASES)} but certified "
            "(which fits a certified model of its own, see --epsilon)",
        },
    ),
    (
        "--forget",
        {
            "type": parse_forget,
            "default": Selection("random"),
            "metavar": "SPEC",
            "help": "which rows to forget (default: random; see below)",
        },
    ),
]
OUTPUTS = [
    (
        "--plot",
        {
            "metavar": "FILE",
            "help": "also save the trajectory figure (distance to the "
            "oracle per iteration of each iterative unlearner) to FILE; needs matplotlib",
        },
    ),
    (
        "--json",
        {
            "nargs": "?",
            "const": "-",
            "metavar": "FILE",
            "help": "write the whole report "
            "as JSON to FILE, or to standard output instead of the table without FILE or -",
        },
    ),
    (
        "--csv",
        {
            "nargs": "?",
            "const": "-",
            "metavar": "FILE",
            "help": "write the unlearners' "
            "rows as CSV to FILE, or to standard output instead of the table without FILE",
        },
    ),
]


def build_parser():
    """The argument parser of ``python -m skunlearn``."""
    parser = _Parser(prog="python -m skunlearn", description=DESCRIPTION, epilog=EPILOG)
    source = parser.add_mutually_exclusive_group()
    for flag, options in SOURCES:
        source.add_argument(flag, **options)
    for flag, options in CHOICES:
        aliases = ("--estimator",) if flag == "--model" else ()
        parser.add_argument(flag, *aliases, **options)
    for flag, kind, default, text in NUMBERS:
        metavar = METAVARS.get(flag, flag.lstrip("-").upper())
        parser.add_argument(flag, type=kind, default=default, metavar=metavar, help=text)
    for flag, options in OUTPUTS:
        parser.add_argument(flag, **options)
    return parser


def main(argv=None):
    """Run the report; returns the process exit code (2 for an argument error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_arguments(parser, args)
    try:
        run = prepare_run(load(args), args)
    except DataError as error:
        parser.error(str(error))
    _report(run, args)
    return 0


def load(args):
    """The :class:`~skunlearn._cli_data.Table` of ``--dataset`` or ``--data``."""
    if args.data is not None:
        return load_table(args.data, args.target, args.id_column)
    regression = args.model is not None and not is_classification(args.model)
    return load_bundled(args.dataset or ("diabetes" if regression else "breast_cancer"))


def _check_arguments(parser, args):
    """Combinations and output targets, checked before any work."""
    _resolve_defaults(args)
    for problem in _misplaced(args):
        parser.error(problem)
    errors = [plot_target_error(args.plot) if args.plot else None]
    errors += [
        target_error(path, flag, stdout_allowed=True)
        for flag, path in (("--json", args.json), ("--csv", args.csv))
        if path
    ]
    for error in filter(None, errors):
        parser.error(error)
    if args.json == "-" and args.csv == "-":
        parser.error("--json and --csv cannot both go to standard output; name a FILE")


def _resolve_defaults(args):
    exact = [name for name, kind in ALIASES.items() if not issubclass(kind, CertifiedUnlearner)]
    chosen = list(dict.fromkeys(sum(args.unlearner or [exact], [])))
    args.unlearners = [name for name in chosen if name in exact]
    if args.epsilon is None and len(args.unlearners) < len(chosen):
        args.epsilon = 1.0  # --unlearner certified: a certified fit of its own
    args.fraction = 0.05 if args.forget_fraction is None else args.forget_fraction
    args.machine = "-" in (args.json, args.csv)  # machine output on stdout: no table


def _misplaced(args):
    """Options given where they do not apply."""
    if args.data is not None and args.target is None:
        yield "--data needs --target COLUMN (the column to predict)"
    if args.data is None and (args.target or args.id_column):
        yield "--target and --id apply to --data FILE"
    if args.forget_fraction is not None and args.forget.kind not in ("random", "cluster"):
        yield "--forget-fraction applies to --forget random or cluster"


def _report(run, args):
    """Fit, print the two reports (or write JSON/CSV) and save the figure."""
    progress = Progress(4 + bool(args.plot) + (args.epsilon is not None))
    say = (lambda *lines: None) if args.machine else progress.print
    say(_header(run, args))
    print(
        "(the first run compiles numba kernels; later runs load them from cache)",
        file=sys.stderr,
        flush=True,
    )
    if run.table.dropped:
        print(
            f"note: {run.table.dropped} rows without a target were left out",
            file=sys.stderr,
            flush=True,
        )
    try:
        progress.step("fitting the model and the oracle")
        original = run.estimator().fit(run.X_train, run.y_train)
        oracle = run.fit_oracle()
        progress.step("dependence report")
        dependence, note = _dependence(original, run)
        say("", note if dependence is None else str(dependence))
        comparison = _compare(original, oracle, run, args, progress)
        say("", str(comparison))
        if not _ensemble_size(args, run, original):
            say("(KLoM and U-LiRA skipped: --ensemble N computes them over N subsample fits.)")
        certified = None
        if args.epsilon is not None:
            certified = _certified_comparison(oracle, run, args, progress)
            say("", f"Certified removal, CertifiedNewton(epsilon={args.epsilon:g}):")
            say(str(certified) if certified else "(supported for logistic and ridge only)")
        progress.step("whole pipeline")
        pipeline = pipeline_check(run, oracle)
        say("", describe_pipeline(pipeline))
        if args.plot:
            progress.step("trajectory figure")
            _save_trajectory_figure(original, oracle, run, args)
            say(f"\nSaved the trajectory figure to {args.plot}.")
    finally:
        progress.close()
    _write_machine_outputs(run, args, (dependence, note, comparison, pipeline, certified))


def _header(run, args):
    X_train, selection = run.X_train, args.forget
    what = selection.describe()
    seed = f" (seed {args.seed})" if selection.kind in ("random", "cluster") else ""
    model = run.model_name if run.option is None else f"{run.model_name}, {run.option}"
    model += "" if run.option is None else f"={run.strength}"
    return (
        f"skunlearn: {run.table.name}, {len(X_train)} training rows, {X_train.shape[1]} "
        f"features; forgetting {len(run.forget)} {what}{seed}; {model}.\nFeatures: "
        f"{run.table.describe_features()}; fitted on the "
        f"{len(run.keep)} training rows that remain, as the refit after the deletion would be."
    )


def _dependence(original, run):
    """The dependence report, or None and why it does not apply."""
    X_forget, y_forget = run.X_train[run.forget], run.y_train[run.forget]
    try:
        return dependence_report(original, X_forget, y_forget, run.X_test, run.y_test), None
    except ValueError as refusal:  # e.g. a whole class forgotten: the forget loss is undefined
        return None, f"No dependence report: {refusal}"


def _compare(original, oracle, run, args, progress):
    """``unlearning_report`` of the chosen unlearners against the scikit-learn oracle."""
    X_forget, y_forget = run.X_train[run.forget], run.y_train[run.forget]
    progress.step(f"comparing {len(args.unlearners)} unlearners")
    return unlearning_report(
        original,
        X_forget,
        y_forget,
        run.X_test,
        run.y_test,
        unlearners=args.unlearners,
        oracle=oracle,
        repeats=args.repeats,
        n_models=_ensemble_size(args, run, original),
        random_state=args.seed,
    )


def _certified_comparison(oracle, run, args, progress):
    """The same forget set removed from a fit with ``CertifiedNewton(--epsilon)``; None for a
    model that draws no certified noise."""
    progress.step("certified removal")
    unlearner = CertifiedNewton(args.epsilon, random_state=args.seed)
    certified = run.estimator().set_params(unlearner=unlearner)
    if not getattr(certified, "_certifiable", False):
        return None
    certified.fit(run.X_train, run.y_train)
    X_forget, y_forget = run.X_train[run.forget], run.y_train[run.forget]
    return unlearning_report(
        certified,
        X_forget,
        y_forget,
        run.X_test,
        run.y_test,
        oracle=oracle,
        repeats=args.repeats,
        random_state=args.seed,
    )


def _ensemble_size(args, run, original):
    """``--ensemble``, or by default ENSEMBLE_SIZE for small problems and 0 otherwise."""
    if args.ensemble is not None:
        return args.ensemble
    size = len(run.X_train) * (np.size(original.coef_) + np.size(original.intercept_))
    return ENSEMBLE_SIZE if size <= ENSEMBLE_MAX_SIZE else 0


def _write_machine_outputs(run, args, results):
    if args.json:
        write_json(_document(run, args, *results), args.json)
    if args.csv:
        write_csv(results[2], args.csv)


def _document(run, args, dependence, note, comparison, pipeline, certified):
    """The JSON document: what ran on which rows, the two reports and the pipeline check."""
    from . import __version__

    return {
        "skunlearn": __version__,
        "data": {
            "name": run.table.name,
            "target": run.table.target,
            "n_train": len(run.train),
            "n_test": len(run.test),
            "n_features": run.X_train.shape[1],
            "classification": run.classification,
        },
        "model": {"name": run.model_name, **({run.option: run.strength} if run.option else {})},
        "forget": {
            "strategy": args.forget.kind,
            "spec": args.forget.spec(),
            "n_forget": len(run.forget),
            "seed": args.seed,
            "ids": run.ids_forgotten,
        },
        "dependence": None if dependence is None else dependence.to_dict(),
        "dependence_note": note,
        "unlearning": comparison.to_dict(),
        "pipeline": pipeline,
        "certified": None if certified is None else certified.to_dict(),
    }


def _save_trajectory_figure(original, oracle, run, args):
    """``--plot FILE``: distance to the oracle per iteration, saved to ``args.plot``."""
    from .plotting import oracle_trajectories, plot_oracle_trajectories

    X_forget, y_forget = run.X_train[run.forget], run.y_train[run.forget]
    trajectories = oracle_trajectories(
        original, X_forget, y_forget, oracle=parameter_vector(oracle)
    )
    title = f"{run.table.name}: forgetting {len(X_forget)} rows (seed {args.seed})"
    ax = plot_oracle_trajectories(trajectories, title=title)
    ax.figure.savefig(args.plot, bbox_inches="tight")
