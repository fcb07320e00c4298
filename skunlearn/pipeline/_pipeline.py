"""A scikit-learn ``Pipeline`` that can unlearn rows through every step."""

import copy
from contextlib import nullcontext
from dataclasses import replace

import numpy as np
from sklearn import pipeline as sk_pipeline
from sklearn.base import clone
from sklearn.utils import check_array, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..linear_model._base import PreparedUnlearn, validate_forget_weight
from ..linear_model._prepared import ctrl_c_deferred, rolled_back_on_error
from ..utils import unlearn_lock
from ..utils._tags import with_unlearn_tags
from ._rows import RawRows, encode_targets, step_fit_params
from ._steps import StepNotUnlearnableError, adopt, may_unlearn, plan_step

__all__ = ["Pipeline", "make_pipeline"]


def _has_final(attr):
    return lambda self: hasattr(self._final_estimator, attr)


class Pipeline(sk_pipeline.Pipeline):
    """A :class:`sklearn.pipeline.Pipeline` with ``unlearn``: forget rows in every step.

    Behaves exactly like scikit-learn's ``Pipeline`` and also keeps the raw
    rows it was fitted on, so that :meth:`unlearn` can find the forgotten rows
    and make every step equal to the one refit on the remaining rows: each
    unlearnable transformer (:mod:`skunlearn.preprocessing`) is refitted on the
    remaining rows as the new upstream steps transform them, and the final
    skunlearn estimator re-expresses its stored rows the same way (its
    parameters carried into the new feature space) before its unlearner
    (Newton by default) lands on the new oracle. Stateless steps pass through.
    Unlearning only the last step is not enough: a scaler fitted on every row
    still carries the forgotten rows' mean and variance.

    Parameters
    ----------
    steps : list of tuples
        ``(name, estimator)`` pairs, as in :class:`sklearn.pipeline.Pipeline`.
    refit_unsupported : bool, default=False
        What :meth:`unlearn` does with a step that cannot unlearn (a plain
        scikit-learn transformer or estimator): False raises
        :class:`StepNotUnlearnableError` naming it; True refits that step and
        every step after it on the remaining rows (the oracle, at the cost of
        a refit).
    transform_input : list of str, default=None
        See :class:`sklearn.pipeline.Pipeline`.
    memory : None, default=None
        Must stay None: ``fit`` refuses a cache, because joblib's cache keeps
        fitted transformers and the transformed training rows on disk, out of
        the reach of :meth:`unlearn`.
    verbose : bool, default=False
        See :class:`sklearn.pipeline.Pipeline`.

    Attributes
    ----------
    named_steps : :class:`~sklearn.utils.Bunch`
        Steps by name.
    n_forgotten_ : int
        Number of rows forgotten since ``fit``.

    See Also
    --------
    make_pipeline : Build a pipeline, naming the steps automatically.
    skunlearn.preprocessing.StandardScaler : A scaler that can unlearn.

    Notes
    -----
    The pipeline keeps a copy of the raw rows (as much memory as ``X``, on top
    of the rows each unlearnable step keeps in its own feature space): they
    find the forgotten rows in the user's feature space and replay the steps. They
    are kept only when the input converts to a dense float64 array (otherwise
    :meth:`unlearn` says so); they, their targets and per-step
    ``sample_weight`` are removed in place by :meth:`unlearn`, like the
    estimators' own stored rows. Other fit parameters are not kept: a pipeline
    fitted with them refuses to refit a step.

    Its unlearn tags (see :func:`skunlearn.utils.is_unlearner`) are those of
    the final step, with forget rows taken dense only, when every other step
    can unlearn (or ``refit_unsupported=True``: then no unlearner is used, and
    the tags name none); otherwise the pipeline is not tagged as an unlearner.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_breast_cancer
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.pipeline import make_pipeline
    >>> from skunlearn.preprocessing import StandardScaler
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    >>> pipe.unlearn(X[:20]).n_forgotten_
    20
    >>> oracle = make_pipeline(StandardScaler(), LogisticRegression()).fit(X[20:], y[20:])
    >>> gap = np.abs(pipe.predict_proba(X) - oracle.predict_proba(X)).max()
    >>> bool(gap < 1e-8)
    True
    """

    _parameter_constraints = {
        **sk_pipeline.Pipeline._parameter_constraints,
        "refit_unsupported": ["boolean"],
    }

    def __init__(
        self, steps, *, refit_unsupported=False, transform_input=None, memory=None, verbose=False
    ):
        super().__init__(steps, transform_input=transform_input, memory=memory, verbose=verbose)
        self.refit_unsupported = refit_unsupported

    def fit(self, X, y=None, **params):
        """Fit every step, as :meth:`sklearn.pipeline.Pipeline.fit`, and keep the raw rows.

        Parameters
        ----------
        X : iterable
            Training data.
        y : iterable, default=None
            Training targets.
        **params : dict of str -> object
            Fit parameters, as in :meth:`sklearn.pipeline.Pipeline.fit`.

        Returns
        -------
        self : Pipeline
            The fitted pipeline.
        """
        self._keep_rows(X, y, params)
        return super().fit(X, y, **params)

    @available_if(sk_pipeline.Pipeline._can_fit_transform)
    def fit_transform(self, X, y=None, **params):
        """Fit every step and transform, as scikit-learn's; keep the raw rows.

        Parameters
        ----------
        X : iterable
            Training data.
        y : iterable, default=None
            Training targets.
        **params : dict of str -> object
            Fit parameters, as in :meth:`sklearn.pipeline.Pipeline.fit`.

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_transformed_features)
            Transformed samples.
        """
        self._keep_rows(X, y, params)
        return super().fit_transform(X, y, **params)

    @available_if(_has_final("fit_predict"))
    def fit_predict(self, X, y=None, **params):
        """Fit every step and ``fit_predict`` the last, as scikit-learn's; keep the rows.

        Parameters
        ----------
        X : iterable
            Training data.
        y : iterable, default=None
            Training targets.
        **params : dict of str -> object
            Fit parameters, as in :meth:`sklearn.pipeline.Pipeline.fit_predict`.

        Returns
        -------
        y_pred : ndarray
            Result of the final estimator's ``fit_predict``.
        """
        self._keep_rows(X, y, params)
        return super().fit_predict(X, y, **params)

    def _keep_rows(self, X, y, params):
        """Copy the raw rows before any step can scale them in place (``copy=False``)."""
        if not _cache_free(self.memory):
            raise ValueError(
                "Pipeline(memory=...) is not supported: joblib's cache keeps the fitted "
                "transformers and the transformed training rows on disk, where unlearn cannot "
                "reach them, so a forgotten row would stay there. Use memory=None."
            )
        self.n_forgotten_ = 0
        self._templates = [
            None if step is None or step == "passthrough" else clone(step)
            for _, step in self.steps
        ]
        self._raw, self._raw_error = None, None
        try:
            self._raw = RawRows(X, y, step_fit_params(self, params))
        except (TypeError, ValueError) as error:
            self._raw_error = f"{type(error).__name__}: {error}"

    def unlearn(self, X_forget, y_forget=None, *, sample_weight=None):
        """Forget training rows in every step: become the pipeline refit without them.

        Each row of ``X_forget`` removes one training row equal to it (in the
        raw input space). Every step is planned aside, in order; only when all
        plans succeeded are they committed, so on any error the pipeline is
        left exactly as it was. Calls from several threads run one after the
        other.

        Parameters
        ----------
        X_forget : array-like of shape (n_forget, n_features)
            Raw rows to forget, as passed to ``fit``. An empty array is a no-op.
        y_forget : array-like of shape (n_forget,) or (n_forget, n_targets), default=None
            Their targets; they decide between equal rows with different targets.
        sample_weight : float or array-like of shape (n_forget,), default=None
            Their ``sample_weight`` at ``fit`` (every weighted step got the
            same one); they decide between equal rows with different weights.

        Returns
        -------
        self : Pipeline
            The unlearned pipeline.

        Raises
        ------
        StepNotUnlearnableError
            A step cannot unlearn and ``refit_unsupported`` is False.
        ValueError
            A row that is not in the training set, a forget set that covers
            every row, or rows the pipeline could not keep at ``fit``. No
            message quotes a stored target.

        Warns
        -----
        UnlearningConvergenceWarning, UnlearningDivergenceWarning
            The final estimator's unlearner stopped short or diverged; the
            warning points at the line that called this method.
        """
        check_is_fitted(self)
        with unlearn_lock(self), _lock_of(self._final_estimator):
            positions = self._locate(X_forget, y_forget, sample_weight)
            if positions is None:
                return self
            plans = self._plan(positions)
            with rolled_back_on_error(plans):
                for plan in plans:
                    plan.emit_warnings()
            with ctrl_c_deferred():
                for plan in plans:
                    plan.commit()
                self.n_forgotten_ += len(positions)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            name, final = self.steps[-1]
            # The final step's target range is the pipeline's (scikit-learn does not pass it on).
            tags.target_tags.positive_only = get_tags(final).target_tags.positive_only
            final_tags = getattr(get_tags(final), "unlearn_tags", None)
            refits = not all(may_unlearn(step) for _, step in self.steps[:-1])
        except (AttributeError, IndexError, TypeError, ValueError):
            final_tags = None  # invalid steps: fit will say why
        if final_tags is None or (refits and not self.refit_unsupported):
            return with_unlearn_tags(tags, None)
        param = None if refits else final_tags.unlearner_param  # a refit uses no unlearner
        unlearn_tags = replace(
            final_tags, sparse=False, unlearner_param=param and f"{name}__{param}"
        )
        return with_unlearn_tags(tags, unlearn_tags)

    def _locate(self, X_forget, y_forget, sample_weight=None):
        if not hasattr(self, "_raw"):
            raise ValueError(
                "This pipeline holds no training rows: its steps were fitted outside its own "
                "fit (a slice of a pipeline, or steps fitted separately). Fit it to unlearn."
            )
        if self._raw is None:
            raise ValueError(
                "This pipeline could not keep its training rows at fit (they must convert to "
                f"a dense float64 array; {self._raw_error}), so it cannot unlearn."
            )
        store = self._raw.store
        X_raw = check_array(X_forget, dtype=np.float64, order="C", ensure_min_samples=0)
        if X_raw.shape[1] != store.X.shape[1]:
            raise ValueError(
                f"X_forget has {X_raw.shape[1]} features; the pipeline was fitted on "
                f"{store.X.shape[1]}."
            )
        fitted_names = getattr(self.steps[0][1], "feature_names_in_", None)
        names = getattr(X_forget, "columns", None)
        if fitted_names is not None and names is not None and list(names) != list(fitted_names):
            raise ValueError("X_forget's columns differ from the ones seen at fit.")
        encoded = None if y_forget is None else encode_targets(y_forget, len(X_raw), store.y)
        weights = validate_forget_weight(sample_weight, len(X_raw))
        if weights is not None and not self._raw.weighted and np.any(weights != 1.0):
            raise ValueError("sample_weight was given, but the pipeline was fitted without one.")
        return store.find(X_raw, encoded, None, weights)

    def _plan(self, positions):
        """Plan every step aside; return the prepared steps, raw rows' removal first.

        Every stored raw row goes through the steps as they are refitted on
        the remaining rows (the new prefix), so each step, and the final
        estimator's stored rows, equal what a refit on the remaining rows in
        their order would give.
        """
        store = self._raw.store
        commits = [PreparedUnlearn(lambda: store.remove(positions))]
        keep = np.setdiff1d(np.arange(store.n), positions)
        Z = self._as_input(np.array(store.X))
        change, new_steps = None, {}
        for index, (name, step) in enumerate(self.steps):
            if step is None or step == "passthrough":
                continue
            is_final = index == len(self.steps) - 1
            self._check_aligned(step, is_final)
            try:
                new, change, prepared = plan_step(
                    f"step {name!r}",
                    step,
                    Z,
                    keep,
                    self._raw.weights(name),
                    change,
                    positions,
                    is_final,
                )
            except StepNotUnlearnableError:
                if not self.refit_unsupported:
                    raise
                return commits[1:] + self._plan_refit(index, new_steps, positions)
            commits.append(prepared)
            new_steps[index] = new
            if not is_final:
                Z = new.transform(Z)
        return commits

    def _check_aligned(self, step, is_final):
        rows = getattr(step, "_rows", None)
        if is_final and rows is not None and rows.n != self._raw.store.n:
            raise ValueError(
                f"The final step holds {rows.n} rows but the pipeline {self._raw.store.n}: it "
                "was refitted or unlearned outside the pipeline. Refit the pipeline."
            )

    def _plan_refit(self, start, new_steps, positions):
        """Refit steps ``start:`` on the remaining rows, aside; return the commits."""
        raw = self._raw
        if raw.other_params:
            raise ValueError(
                f"Cannot refit step {self.steps[start][0]!r}: the pipeline was fitted with "
                f"{raw.other_params}, which it does not keep."
            )
        remaining = copy.deepcopy(raw)
        remaining.store.remove(positions)
        Z, y = self._as_input(remaining.store.X), remaining.targets()
        for index, (_, step) in enumerate(self.steps[:start]):
            if step is not None and step != "passthrough":
                Z = new_steps[index].transform(Z)
        refitted = []
        for index, (name, step) in enumerate(self.steps[start:], start=start):
            if step is None or step == "passthrough":
                continue
            fresh, kwargs = clone(self._templates[index]), {}
            if name in raw.weighted:
                kwargs["sample_weight"] = remaining.weights(name)
            if index == len(self.steps) - 1:
                fresh.fit(Z, y, **kwargs)
            else:
                Z = fresh.fit_transform(Z, y, **kwargs)
            refitted.append((step, fresh))

        def commit():
            raw.store.erase()
            self._raw = remaining
            for step, fresh in refitted:
                adopt(step, fresh)

        return [PreparedUnlearn(commit)]

    def _as_input(self, X):
        names = getattr(self.steps[0][1], "feature_names_in_", None)
        if names is None:
            return X
        import pandas as pd

        return pd.DataFrame(X, columns=names)


def _lock_of(step):
    """The step's unlearn lock, or a no-op for a skipped step."""
    return nullcontext() if step is None or isinstance(step, str) else unlearn_lock(step)


def _cache_free(memory):
    """Whether ``memory`` caches nothing (None, or a joblib Memory without a location)."""
    return memory is None or (hasattr(memory, "cache") and getattr(memory, "location", 1) is None)


def make_pipeline(
    *steps, refit_unsupported=False, memory=None, transform_input=None, verbose=False
):
    """Build a :class:`Pipeline`, naming the steps like :func:`sklearn.pipeline.make_pipeline`.

    Parameters
    ----------
    *steps : list of estimators
        The steps, the last one possibly an estimator.
    refit_unsupported : bool, default=False
        See :class:`Pipeline`.
    memory : str or object with the joblib.Memory interface, default=None
        See :class:`sklearn.pipeline.Pipeline`.
    transform_input : list of str, default=None
        See :class:`sklearn.pipeline.Pipeline`.
    verbose : bool, default=False
        See :class:`sklearn.pipeline.Pipeline`.

    Returns
    -------
    pipeline : Pipeline
        The (unfitted) pipeline.

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.pipeline import make_pipeline
    >>> from skunlearn.preprocessing import StandardScaler
    >>> make_pipeline(StandardScaler(), Ridge()).named_steps
    {'standardscaler': StandardScaler(), 'ridge': Ridge()}
    """
    named = sk_pipeline.make_pipeline(*steps, memory=memory, transform_input=transform_input)
    return Pipeline(
        named.steps,
        refit_unsupported=refit_unsupported,
        transform_input=transform_input,
        memory=memory,
        verbose=verbose,
    )
