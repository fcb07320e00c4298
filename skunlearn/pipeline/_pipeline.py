"""A scikit-learn ``Pipeline`` that can unlearn rows through every step."""

from contextlib import nullcontext
from dataclasses import replace

import numpy as np
from sklearn import pipeline as sk_pipeline
from sklearn.base import clone
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples, check_is_fitted

from ..exceptions import pass_through, warn_at_caller
from ..linear_model._prepared import ctrl_c_deferred, rolled_back_on_error
from ..utils import unlearn_lock
from ..utils._atomic_fit import atomic_fit_methods
from ..utils._forget_request import check_request, locate_request, skipped_warning
from ..utils._sample_ids import sample_ids
from ..utils._tags import with_unlearn_tags
from ..utils._validation import validate_forget_weight
from ._plan import plan_unlearn
from ._rows import RawRows, encode_targets, step_fit_params
from ._steps import exported, may_unlearn

__all__ = ["Pipeline", "make_pipeline"]


def _has_final(attr):
    """``available_if`` check: the final step's AttributeError becomes the cause, as in sklearn."""

    def check(self):
        getattr(self._final_estimator, attr)
        return True

    return check


class Pipeline(sk_pipeline.Pipeline):
    """A :class:`sklearn.pipeline.Pipeline` with ``unlearn``: forget rows in every step.

    Behaves exactly like scikit-learn's ``Pipeline`` and also keeps the raw
    rows it was fitted on, so that :meth:`unlearn` can find the forgotten rows
    (by value, or by the ``sample_id`` given to ``fit``) and make every step
    equal to the one refit on the remaining rows: each unlearnable transformer
    (:mod:`skunlearn.preprocessing`, :mod:`skunlearn.impute`,
    :mod:`skunlearn.feature_extraction.text`, and scikit-learn's column
    transformers, unions and pipelines of them) is refitted on the remaining
    rows as the new upstream steps output them, and the final skunlearn
    estimator re-expresses its stored rows the same way (its parameters carried
    into the new feature space, whatever columns appeared or vanished) before
    its unlearner (Newton by default) lands on the new oracle. Stateless steps
    pass through, recomputed when a step before them changed. Unlearning only
    the last step is not enough: a scaler fitted on every row still carries
    the forgotten rows' mean and variance, an encoder their categories.

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
    The pipeline keeps a copy of the raw rows as given (as much memory as
    ``X``, on top of the rows each unlearnable step keeps in its own feature
    space): a DataFrame with its column names and dtypes, an array, documents
    or CSR (:func:`~skunlearn.utils.input_rows`); an input it cannot keep (a
    generator) makes :meth:`unlearn` say so. They find the forgotten rows in
    the user's own form and replay the steps; they, their targets, ids and
    per-step ``sample_weight`` are removed in place by :meth:`unlearn`, like
    the estimators' own stored rows. Other fit parameters are not kept: a
    pipeline fitted with them refuses to refit a step. :meth:`to_sklearn`
    exports a scikit-learn pipeline without any of these rows, for serving.

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

    def _atomic_parts(self):
        """The steps, which a failed :meth:`fit` restores with the pipeline (scikit-learn
        fits them in place)."""
        return [s for _, s in self.steps if hasattr(s, "__dict__") and not isinstance(s, type)]

    @pass_through  # it calls fit for the user: warnings point at its caller
    def fit(self, X, y=None, sample_id=None, **params):
        """Fit every step, as :meth:`sklearn.pipeline.Pipeline.fit`, and keep the raw rows.

        Parameters
        ----------
        X : iterable
            Training data.
        y : iterable, default=None
            Training targets.
        sample_id : array-like of shape (n_samples,) or "index", default=None
            One unique, hashable identifier per row (``"index"``: the index
            of a pandas ``X``), for ``unlearn(ids=...)``. The pipeline keeps
            it with the raw rows; it is not passed to the steps.
        **params : dict of str -> object
            Fit parameters, as in :meth:`sklearn.pipeline.Pipeline.fit`.

        Returns
        -------
        self : Pipeline
            The fitted pipeline.
        """
        self._keep_rows(X, y, sample_id, params)
        return super().fit(X, y, **params)

    @available_if(sk_pipeline.Pipeline._can_fit_transform)
    @pass_through  # it calls fit for the user: warnings point at its caller
    def fit_transform(self, X, y=None, sample_id=None, **params):
        """Fit every step and transform, as scikit-learn's; keep the raw rows.

        Parameters
        ----------
        X : iterable
            Training data.
        y : iterable, default=None
            Training targets.
        sample_id : array-like of shape (n_samples,) or "index", default=None
            One unique, hashable identifier per row (``"index"``: the index
            of a pandas ``X``), for ``unlearn(ids=...)``. The pipeline keeps
            it with the raw rows; it is not passed to the steps.
        **params : dict of str -> object
            Fit parameters, as in :meth:`sklearn.pipeline.Pipeline.fit`.

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_transformed_features)
            Transformed samples.
        """
        self._keep_rows(X, y, sample_id, params)
        return super().fit_transform(X, y, **params)

    @available_if(_has_final("fit_predict"))
    def fit_predict(self, X, y=None, sample_id=None, **params):
        """Fit every step and ``fit_predict`` the last, as scikit-learn's; keep the rows.

        Parameters
        ----------
        X : iterable
            Training data.
        y : iterable, default=None
            Training targets.
        sample_id : array-like of shape (n_samples,) or "index", default=None
            One unique, hashable identifier per row (``"index"``: the index
            of a pandas ``X``), for ``unlearn(ids=...)``. The pipeline keeps
            it with the raw rows; it is not passed to the steps.
        **params : dict of str -> object
            Fit parameters, as in :meth:`sklearn.pipeline.Pipeline.fit_predict`.

        Returns
        -------
        y_pred : ndarray
            Result of the final estimator's ``fit_predict``.
        """
        self._keep_rows(X, y, sample_id, params)
        return super().fit_predict(X, y, **params)

    def _keep_rows(self, X, y, sample_id, params):
        """Copy the raw rows before any step can scale them in place (``copy=False``)."""
        if not _cache_free(self.memory):
            raise ValueError(
                "Pipeline(memory=...) is not supported: joblib's cache keeps the fitted "
                "transformers and the transformed training rows on disk, where unlearn cannot "
                "reach them, so a forgotten row would stay there. Use memory=None."
            )
        self._validate_steps()  # scikit-learn's step checks come before the templates' clones
        self._templates = [
            None if step is None or step == "passthrough" else clone(step)
            for _, step in self.steps
        ]
        self.n_forgotten_ = 0
        self._raw, self._raw_error = None, None
        ids = sample_ids(X, sample_id)
        try:
            self._raw = RawRows(X, y, step_fit_params(self, params), ids)
        except (TypeError, ValueError, ImportError) as error:
            self._raw_error = f"{type(error).__name__}: {error}"

    def unlearn(
        self, X_forget=None, y_forget=None, *, ids=None, sample_weight=None, missing="raise"
    ):
        """Forget training rows in every step: become the pipeline refit without them.

        Each row of ``X_forget`` removes one training row equal to it (in the
        raw input, as given to ``fit``: a DataFrame row matches column by
        column, a missing value any missing value); each of ``ids`` removes
        the row fitted with that ``sample_id``. Every step is planned aside,
        in order; only when all plans succeeded are they committed, so on any
        error the pipeline is left exactly as it was. Calls from several
        threads run one after the other.

        Parameters
        ----------
        X_forget : array-like, DataFrame or iterable of documents, default=None
            Raw rows to forget, as passed to ``fit``. An empty set is a
            no-op. Give ``X_forget`` or ``ids``.
        y_forget : array-like of shape (n_forget,) or (n_forget, n_targets), default=None
            Their targets; they decide between equal rows with different targets.
        ids : array-like of shape (n_forget,), default=None
            The ``sample_id`` given to ``fit`` of the rows to forget.
        sample_weight : float or array-like of shape (n_forget,), default=None
            Their ``sample_weight`` at ``fit`` (every weighted step got the
            same one); they decide between equal rows with different weights.
        missing : {"raise", "ignore"}, default="raise"
            A row or id that is not stored (forgotten already, never trained
            on): ``"raise"`` refuses the request; ``"ignore"`` skips it and
            warns with :class:`~skunlearn.exceptions.ForgetRequestWarning`.

        Returns
        -------
        self : Pipeline
            The unlearned pipeline.

        Raises
        ------
        StepNotUnlearnableError
            A step cannot unlearn and ``refit_unsupported`` is False.
        ValueError
            A row or id that is not in the training set (the message says
            which columns of the nearest stored row differ, and by how much,
            never their values), a forget set that covers every row, or rows
            the pipeline could not keep at ``fit``. No message quotes a
            stored target or id.

        Warns
        -----
        ForgetRequestWarning
            ``missing="ignore"`` skipped rows or ids.
        UnlearningConvergenceWarning, UnlearningDivergenceWarning
            The final estimator's unlearner stopped short or diverged; the
            warning points at the line that called this method.
        """
        check_is_fitted(self)
        check_request(X_forget, y_forget, ids, sample_weight, missing)
        with unlearn_lock(self), _lock_of(self._final_estimator):
            positions, n_requested, skipped = self._locate_request(
                X_forget, y_forget, ids, sample_weight, missing
            )
            skipped = skipped_warning(n_requested, skipped, ids is not None)
            if skipped is not None:
                warn_at_caller(*skipped)
            if positions is None:
                return self
            plans = plan_unlearn(self, positions)
            with rolled_back_on_error(plans):
                for plan in plans:
                    plan.emit_warnings()
            with ctrl_c_deferred():
                for plan in plans:
                    plan.commit()
                self.n_forgotten_ += len(positions)
        return self

    def to_sklearn(self):
        """The equivalent scikit-learn pipeline, without any training row (for serving).

        Every step becomes its plain scikit-learn counterpart
        (``to_sklearn()`` of the unlearnable ones, column transformers and
        nested pipelines rebuilt around exported parts); the raw rows, the
        ids and each step's kept rows are left out. The export predicts and
        transforms the same, and cannot unlearn.

        Returns
        -------
        pipeline : sklearn.pipeline.Pipeline
            The fitted scikit-learn pipeline.
        """
        check_is_fitted(self)
        return exported(self)

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

    def _locate_request(self, X_forget, y_forget, ids, sample_weight, missing):
        if not hasattr(self, "_raw"):
            raise ValueError(
                "This pipeline holds no training rows: its steps were fitted outside its own "
                "fit (a slice of a pipeline, or steps fitted separately). Fit it to unlearn."
            )
        if self._raw is None:
            raise ValueError(
                "This pipeline could not keep its training rows at fit "
                f"({self._raw_error}), so it cannot unlearn."
            )
        store = self._raw.store

        def rows(missing):
            n = _num_samples(X_forget)
            encoded = None if y_forget is None else encode_targets(y_forget, n, store.y)
            weights = validate_forget_weight(sample_weight, n)
            if weights is not None and not self._raw.weighted and np.any(weights != 1.0):
                raise ValueError(
                    "sample_weight was given, but the pipeline was fitted without one."
                )
            return store.find(X_forget, encoded, None, weights, missing=missing)

        return locate_request(store, X_forget, ids, missing, rows)


def _lock_of(step):
    """The step's unlearn lock, or a no-op for a skipped step."""
    return nullcontext() if step is None or isinstance(step, str) else unlearn_lock(step)


def _cache_free(memory):
    """Whether ``memory`` caches nothing (None, or a joblib Memory without a location)."""
    return memory is None or (hasattr(memory, "cache") and getattr(memory, "location", 1) is None)


atomic_fit_methods(Pipeline)  # a fit that raises leaves the pipeline as it was


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
