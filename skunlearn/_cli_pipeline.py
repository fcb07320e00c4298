"""The whole pipeline's deletion, checked: preprocessing and model unlearned together.

The report compares unlearners on the model's features. This check runs the deletion
a data team would run: a :class:`skunlearn.pipeline.Pipeline` of skunlearn's
unlearnable transformers and the model, fitted on every raw training row (with the
``--id`` column as ``sample_id``), unlearns the forget rows (by id, else by value), and
its predictions on the held-out rows are compared with scikit-learn's pipeline refit
on the remaining raw rows.
"""

import time

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.pipeline import Pipeline as SklearnPipeline

from ._cli_data import take
from .pipeline import Pipeline

__all__ = ["EQUAL", "describe", "pipeline_check"]

# largest difference in predicted probability (or in prediction, per unit of the
# target's spread) that counts as equal to the refit pipeline
EQUAL = 1e-6


def pipeline_check(run, oracle):
    """Unlearn the forget rows through the whole pipeline and compare with the refit.

    ``oracle`` is the model refit on the remaining rows' features (its
    hyperparameters make the refit pipeline's final step).

    Returns
    -------
    check : dict
        ``by`` ("ids" or "rows"), ``seconds`` (the unlearning), ``refit_seconds``
        (scikit-learn's pipeline refit on the remaining rows), ``compared`` and
        ``difference`` (the largest difference of their predictions on the held-out
        rows: probabilities for a classifier, its decision values when it has no
        probabilities, predictions over the targets' standard deviation for a
        regressor) and a ``verdict``; or ``by`` and ``error`` when
        the pipeline cannot unlearn.
    """
    table = run.table
    X_train, X_test = take(table.X, run.train), take(table.X, run.test)
    y_train = run.y_train
    pipe = Pipeline(
        [("features", table.preprocessor(unlearnable=True)), ("model", run.estimator())]
    )
    ids = None if table.ids is None else table.ids[run.train]
    pipe.fit(X_train, y_train, sample_id=ids)
    by = "rows" if ids is None else "ids"
    start = time.perf_counter()
    try:
        if ids is None:
            pipe.unlearn(take(X_train, run.forget), y_train[run.forget])
        else:
            pipe.unlearn(ids=ids[run.forget])
    except ValueError as error:
        return {"by": by, "error": str(error).splitlines()[0]}
    seconds = time.perf_counter() - start
    refit, refit_seconds = _refit(run, oracle, X_train, y_train)
    difference = _difference(pipe, refit, X_test, run.y_test)
    verdict = "equals the refit" if difference <= EQUAL else "differs from the refit"
    compared = _compared(pipe)
    return {
        "by": by,
        "seconds": seconds,
        "refit_seconds": refit_seconds,
        "compared": compared,
        "difference": difference,
        "verdict": verdict,
    }


def _refit(run, oracle, X_train, y_train):
    """scikit-learn's pipeline refit on the remaining raw rows, and its time."""
    refit = SklearnPipeline([("features", run.table.preprocessor()), ("model", clone(oracle))])
    start = time.perf_counter()
    refit.fit(take(X_train, run.keep), y_train[run.keep])
    return refit, time.perf_counter() - start


def _compared(pipe):
    """What the check compares: probabilities, decision values of a classifier without
    probabilities (LinearSVC, RidgeClassifier), or predictions."""
    if not is_classifier(pipe):
        return "prediction"
    return "probability" if hasattr(pipe, "predict_proba") else "decision value"


def _difference(pipe, refit, X_test, y_test):
    compared = _compared(pipe)
    if compared != "prediction":
        method = "predict_proba" if compared == "probability" else "decision_function"
        ours, theirs = getattr(pipe, method)(X_test), getattr(refit, method)(X_test)
        return float(np.max(np.abs(ours - theirs)))
    spread = max(float(np.std(y_test)), np.finfo(float).tiny)
    return float(np.max(np.abs(pipe.predict(X_test) - refit.predict(X_test)))) / spread


def describe(check):
    """The check in words, for the report."""
    if "error" in check:
        return f"Whole pipeline: cannot unlearn by {check['by']}: {check['error']}"
    return (
        "Whole pipeline (skunlearn's unlearnable transformers and the model, fitted on the raw "
        f"training rows): unlearned by {check['by']} in {1e3 * check['seconds']:.1f} ms; "
        f"scikit-learn's pipeline refit on the remaining rows {1e3 * check['refit_seconds']:.1f} "
        f"ms\n  largest {check['compared']} difference from the refit on the held-out rows: "
        f"{check['difference']:.1e} -> {check['verdict']}"
    )
