"""``partial_fit``: rows that arrive between deletions, added by the machinery of ``unlearn``.

Adding rows is removing rows with negative weights: the kept warm state gains
the new rows' share (their loss, gradient and Hessian; Ridge's Gram buckets that
received rows are recomputed), Newton steps from the current weights land on the
fit on all the rows, and the estimator's ``_finalize`` (the end of ``fit``)
makes the stored state equal, bit for bit, what a fit on the stored rows followed
by the new ones stores.
"""

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._available_if import available_if
from sklearn.utils.validation import validate_data

from ..exceptions import pass_through, warn_at_caller
from ..unlearners import Newton
from ..unlearners._base import empty_history
from ..utils import unlearn_lock
from ..utils._sample_ids import sample_ids
from ..utils._validation import validate_sample_weight
from ._certified import partial_fit_available, refuse_certified
from ._prepared import ctrl_c_deferred

__all__ = ["PartialFitMixin"]


class PartialFitMixin:
    """Mixin adding ``partial_fit(X, y, sample_weight=None)`` to an unlearning estimator.

    The estimator implements ``_encode_new_targets(y, n_rows)`` (targets of
    new rows in the stored encoding; ValueError for targets the model cannot
    take, such as an unseen class) and may override ``_grown_model`` (the
    model over all rows, default ``_model(total_weight)``) and
    ``_grown_warm_state`` (the warm state once the new rows are stored).
    """

    @available_if(partial_fit_available)
    @pass_through  # it calls fit for the user: warnings point at its caller
    def partial_fit(self, X, y, sample_weight=None, sample_id=None):
        """Add training rows: become the model fitted on the stored rows followed by these.

        On an unfitted estimator this is ``fit``. Otherwise the rows are
        appended to the stored ones and Newton steps from the current weights,
        started from the kept warm state, land on the fit on all the rows; the
        stored state then equals, bit for bit, what ``fit`` on all of them
        (the stored rows first, in order) stores. On any error the estimator
        is unchanged.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            New rows, validated like ``fit``'s ``X``.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Their targets; a classifier accepts only the classes of ``fit``.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weight of each new row.
        sample_id : array-like of shape (n_samples,) or "index", default=None
            Identifiers of the new rows, when ``fit`` kept them (``sample_id``
            of ``fit``); they must differ from the stored ones.

        Returns
        -------
        self : object
            The estimator fitted on all the rows.

        Raises
        ------
        ValueError
            Rows or targets that ``fit`` would refuse, a wrong number of
            features, a class not seen at ``fit``, ids missing, unexpected
            or already stored, or a certified fit (refit on all the rows).
        NotImplementedError
            The stored rows live in chunks elsewhere (a dask cluster,
            memory-mapped files), where rows are not appended.
        """
        if not hasattr(self, "_rows"):
            return self.fit(X, y, sample_weight=sample_weight, sample_id=sample_id)
        refuse_certified(self, "partial_fit")
        with unlearn_lock(self):
            self._rows.check_appendable()
            ids = sample_ids(X, sample_id)
            X = validate_data(
                self, X, reset=False, dtype=np.float64, order="C", accept_sparse="csr"
            )
            encoded = self._encode_new_targets(y, X.shape[0])
            weights = validate_sample_weight(sample_weight, X.shape[0], all_zero=True)
            rows = self._rows
            total = float(np.sum(rows.sample_weight)) + float(np.sum(weights))
            model = self._grown_model(total, encoded, weights)
            n_before = rows.n
            rows.append(X, encoded, weights, ids)
            try:
                theta, warm, fitted, converged = self._grown_state(model, n_before)
            except BaseException:
                rows.drop_tail(np.arange(n_before, rows.n))
                raise
            with ctrl_c_deferred():
                self._set_model(model, theta)
                vars(self).update(fitted)
                self._warm_state = warm
                self.unlearn_history_ = empty_history()
        if not converged:
            warn_at_caller("partial_fit stopped short of its tolerance.", ConvergenceWarning)
        return self

    def _grown_model(self, total_weight, encoded, weights):
        """The model over the stored rows and the new ones (total weight ``total_weight``)."""
        return self._model(total_weight)

    def _grown_warm_state(self, model, n_before, rows):
        """The kept warm state with the share of the rows after ``n_before`` added, or None."""
        warm = self._warm_state
        if warm is None or not warm.valid_at(model.theta):
            return None
        if not model.spec.weighs_like(self._model(1.0).spec):
            return None  # the new rows reweigh the others ("balanced" class weights)
        X_new, y_new, w_new = self._rows.take(np.arange(n_before, self._rows.n))
        added = model.spec.objective(X_new, y_new, -w_new, scaled=False)
        return warm.without(added, rows)

    def _grown_state(self, model, n_before):
        """``(theta, warm_state, fitted attributes, converged)`` of the fit on all the rows."""
        store, spec = self._rows, model.spec
        rows = store.head(store.n)
        warm = self._grown_warm_state(model, n_before, rows)
        problem = self._problem(model, np.empty(0, dtype=np.int64), warm)
        result = Newton().run(problem)
        theta = np.asarray(result.theta, dtype=np.float64)
        theta, warm, _, *extra = self._finalize(rows, spec, theta, warm, result.value_grad)
        return theta, warm, extra[0] if extra else {}, result.converged
