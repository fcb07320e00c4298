"""Certified removal by loss perturbation and Newton steps (Guo et al. 2020)."""

from dataclasses import dataclass, replace
from numbers import Integral, Real

import numpy as np
import scipy.linalg
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .._certificate import (
    Certificate,
    PerturbedObjective,
    free_basis,
    loss_constants,
    measured_residual,
    newton_residual_bound,
    sample_perturbation,
    step_rounding_bound,
    weighted_spectral_norm,
)
from .._solvers import dense_hessian_fits, newton
from ..exceptions import CertificateExhaustedError
from ._base import BaseUnlearner, empty_history
from ._problem import UnlearningResult

__all__ = ["CertifiedNewton", "CertifiedState", "CertifiedUnlearner"]


class CertifiedUnlearner(BaseUnlearner):
    """Base of unlearners whose randomness is drawn at ``fit``.

    The estimator calls :meth:`certify` at the end of ``fit``; it returns the
    released parameters and the private state (noise, seed, certificate)
    that ``unlearn`` hands back to the unlearner in
    ``UnlearningProblem.certified``. ``_data_free`` says whether the
    estimator may drop its rows after ``fit``.

    Examples
    --------
    >>> from skunlearn.unlearners import CertifiedNewton, CertifiedUnlearner, Newton
    >>> isinstance(CertifiedNewton(), CertifiedUnlearner), isinstance(Newton(), CertifiedUnlearner)
    (True, False)
    """

    _data_free = False

    def certify(self, spec, rows, theta):
        """The released parameters and the private state of a fit (see subclasses).

        Parameters
        ----------
        spec : ObjectiveSpec
            The estimator's objective.
        rows : tuple
            ``(X, stored targets, sample weights)``.
        theta : ndarray of shape (n_params,)
            The estimator's fit.

        Returns
        -------
        theta : ndarray of shape (n_params,)
        state : CertifiedState
        """
        raise NotImplementedError

    def _entropy(self):
        """A seed for every draw of this fit (from ``random_state``)."""
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    def _check_objective(self, spec, n_params):
        """Refuse what the certificate cannot cover, naming the parameter to change."""
        name = type(self).__name__
        if not spec.penalty.smooth:
            raise ValueError(
                f"{name} needs a smooth, unconstrained objective (Newton steps): use "
                "l1_ratio=0 and positive=False."
            )
        if not np.all(np.asarray(spec.l2) > 0):
            raise ValueError(
                f"{name} needs an L2 strength > 0 (strong convexity): C must be finite and "
                "alpha positive."
            )
        if not dense_hessian_fits(n_params):
            raise ValueError(f"{name} needs the dense Hessian of {n_params} parameters.")
        return loss_constants(spec.loss, name)


@dataclass(frozen=True)
class CertifiedState:
    """The private randomness of a certified fit, kept beside the model.

    Attributes
    ----------
    unlearner : CertifiedUnlearner
        A copy of the unlearner the noise was calibrated for.
    perturbation : ndarray of shape (n_params,)
        Guo et al.'s ``b``, or the data-free mechanism's last output noise.
    weight_scale : float
        Row-weight scale of the objective ``b`` was drawn for.
    entropy : int
        Seed of the draws; draw ``k`` uses ``SeedSequence(entropy, spawn_key=(k,))``.
    draws : int
        Draws so far.
    certificate : Certificate
    extra : dict
        Mechanism-specific state.
    """

    unlearner: object
    perturbation: np.ndarray
    weight_scale: float
    entropy: int
    draws: int
    certificate: Certificate
    extra: dict

    def rng(self):
        """The generator of the next draw."""
        return np.random.default_rng(np.random.SeedSequence(self.entropy, spawn_key=(self.draws,)))


class CertifiedNewton(CertifiedUnlearner):
    r"""Certified removal (Guo et al. 2020): loss perturbation at ``fit``, Newton steps after.

    At ``fit`` the estimator minimises the perturbed objective
    :math:`L_b(\theta; D) = J(\theta; D) + b^\top \theta` (Algorithm 1 of
    [1]_), ``J`` its own objective in its own units and ``b`` a random vector
    drawn once: with ``delta = 0``, of density
    :math:`p(b) \propto \exp(-\varepsilon \|b\|_2 / \beta)` (a uniform
    direction and :math:`\|b\| \sim \mathrm{Gamma}(p, \beta / \varepsilon)`,
    ``p`` parameters); with ``delta > 0``, :math:`b \sim N(0, \sigma^2 I)`,
    :math:`\sigma = c \beta / \varepsilon`, :math:`c = \sqrt{2 \log(1.5 /
    \delta)}`. Here :math:`\beta` is ``budget``.

    Each ``unlearn`` moves :math:`\theta` by Newton on :math:`L_b(\cdot; D')`
    and adds to the certificate's ``spent`` a bound on the gradient residual
    :math:`\|\nabla L_b(\theta^-; D')\|_2` it leaves. Theorem 3 of [1]_: while
    that residual is at most :math:`\beta`, the released :math:`\theta^-` is
    :math:`\varepsilon`-certified removal (:math:`(\varepsilon,
    \delta)` with the Gaussian ``b``) of the rows: its density differs by at
    most :math:`e^\varepsilon` from that of a fit on :math:`D'` with fresh
    noise, because :math:`\theta^-` is the exact minimiser of
    :math:`L_{b'}(\cdot; D')` with :math:`\|b - b'\| \le \beta`. When the next
    removal would bring ``spent`` above :math:`\beta`, the estimator is
    refitted on the remaining rows with a fresh ``b`` (``on_exhausted=
    "retrain"``) or the removal is refused (``"raise"``).

    ``removal="one_step"`` is Algorithm 2 of [1]_: one Newton step
    :math:`\theta^- = \theta + H^{-1} \Delta` with :math:`\Delta` the
    gradient of the removed rows' loss (no gradient pass over the remaining
    rows; one Hessian pass), and the data-dependent bound of Corollary 1,
    :math:`\|r\| \le \frac{\gamma}{2} \|C^{1/2} \tilde X\|_2 (\sum_i c_i
    \|\tilde x_i^\top U\|^4)^{1/2}` (:math:`\le \gamma \|X\|_2 \|u\|
    \|X u\|` for unit rows, the paper's form), accumulated across removals
    (each step leaves the previous residual in place).
    ``removal="stored_hessian"`` takes the same step with the loss Hessian
    kept at the last (re)fit's :math:`\theta_s`, downdated by the removed rows
    (exact at :math:`\theta_s`): no Hessian pass, one :math:`O(nd)` pass for
    the bound, which then also covers the Hessian's staleness: with
    :math:`a_i = \tilde x_i^\top (\theta - \theta_s)`, :math:`\|r\| \le
    \gamma \|C^{1/2} \tilde X\|_2 (\sum_i c_i (\|a_i\| + \|\delta_i\| / 2)^2
    \|\delta_i\|^2)^{1/2}` (:func:`~skunlearn._certificate.newton_residual_bound`),
    so the budget runs out sooner as :math:`\theta` drifts. ``removal="iterate"``
    iterates Newton to ``tol`` and spends the residual measured in one
    gradient pass plus the worst-case rounding bound of that computation
    (Higham's summation bound: it grows with the number of rows, about 1e-11
    at 400 rows and 4e-6 at 1e5 in the units of ``C * sum(loss)``): not
    accumulated, so a budget just above that floor (and so tiny noise)
    certifies every deletion.

    Assumptions (checked at ``fit``, a ValueError otherwise): a smooth loss
    whose second derivative is :math:`\gamma`-Lipschitz in the linear
    predictor (logistic :math:`1/(6\sqrt3)`, multinomial 3/2, squared 0:
    Ridge's Newton step is exact and spends nothing); an L2 strength > 0;
    no L1 term or positivity constraint; no ``class_weight="balanced"`` (a
    deletion would reweigh every row); the dense Hessian fits in memory
    (float32 input gives float64 coefficients: rounding them would leave
    the certified optimum). No
    bound on the row norms is needed by this bound (Guo et al.'s
    :math:`\|x_i\| \le 1` enters only its looser form). An unpenalised
    intercept of a logistic model is perturbed too; the perturbed objective
    then has a minimum only while the perturbation's intercept part is
    smaller than the loss can balance (``fit`` raises otherwise; take a
    larger ``epsilon`` or a smaller ``budget``). With a multinomial model's
    intercepts, ``b`` lives off their common-shift direction.

    The guarantee covers the released parameters (``coef_``, ``intercept_``),
    not the stored rows, ``certificate_.spent``, the noise or the stored
    Hessian (``"stored_hessian"``, ``"iterate"``: downdated, so its low bits
    keep a trace of the deleted rows), which the estimator keeps privately;
    publish the model with ``to_sklearn()``. In a pipeline it does not cover the
    preprocessing.

    Parameters
    ----------
    epsilon : float, default=1.0
        Privacy parameter (``np.inf``: no noise; plain Newton removal).
    delta : float, default=0.0
        0: pure :math:`\varepsilon` (the exponential-norm density); in (0, 1):
        Gaussian ``b`` (less noise in high dimension).
    budget : float, default=0.1
        :math:`\beta`: the gradient residual (Euclidean norm, units of the
        estimator's objective, e.g. ``C * sum(loss) + ||w||^2 / 2``) that may
        be spent before a retraining. The noise scales with it.
    removal : {"one_step", "stored_hessian", "iterate"}, default="one_step"
        Guo et al.'s single Newton step with the accumulated bound (a Hessian
        pass per removal), the same with the stored Hessian (no Hessian
        pass), or Newton iterated to ``tol`` with the measured residual (its
        first steps with the stored Hessian while they contract).
    on_exhausted : {"retrain", "raise"}, default="retrain"
        What a removal that would exceed the budget does: refit on the
        remaining rows with fresh noise (``certificate_.retrains`` counts
        them), or raise :class:`~skunlearn.exceptions.CertificateExhaustedError`
        leaving the estimator unchanged.
    tol : float, default=1e-12
        Gradient tolerance (per-sample-mean units) of the perturbed fits and
        of ``removal="iterate"``.
    max_iter : int, default=50
        Newton iterations of those solves.
    random_state : int, RandomState instance or None, default=None
        Seeds the noise of ``fit`` and of every retraining.

    See Also
    --------
    DataFreeNewton : Certified removal that keeps no training rows.
    Newton : Exact removal (lands on the oracle).

    References
    ----------
    .. [1] C. Guo, T. Goldstein, A. Hannun, L. van der Maaten, "Certified Data
       Removal from Machine Learning Models", ICML 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.unlearners import CertifiedNewton
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 4))
    >>> y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    >>> clf = LogisticRegression(unlearner=CertifiedNewton(epsilon=1.0, random_state=0))
    >>> clf = clf.fit(X, y).unlearn(X[:3])
    >>> cert = clf.certificate_
    >>> cert.deletions_since_retrain, bool(0 < cert.spent <= cert.budget)
    (3, True)
    """

    _parameter_constraints = {
        "epsilon": [Interval(Real, 0, np.inf, closed="right")],
        "delta": [Interval(Real, 0, 1, closed="left")],
        "budget": [Interval(Real, 0, None, closed="neither")],
        "removal": [StrOptions({"one_step", "stored_hessian", "iterate"})],
        "on_exhausted": [StrOptions({"retrain", "raise"})],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        epsilon=1.0,
        delta=0.0,
        budget=0.1,
        *,
        removal="one_step",
        on_exhausted="retrain",
        tol=1e-12,
        max_iter=50,
        random_state=None,
    ):
        self.epsilon = epsilon
        self.delta = delta
        self.budget = budget
        self.removal = removal
        self.on_exhausted = on_exhausted
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state

    def certify(self, spec, rows, theta):
        """The perturbed fit on ``rows`` from ``theta`` (the unperturbed optimum).

        Parameters
        ----------
        spec : ObjectiveSpec
            The estimator's objective.
        rows : tuple
            ``(X, stored targets, sample weights)``.
        theta : ndarray of shape (n_params,)
            Starting point (the estimator's fit).

        Returns
        -------
        theta : ndarray of shape (n_params,)
            The minimiser of the perturbed objective.
        state : CertifiedState

        Raises
        ------
        ValueError
            An assumption fails, or the perturbed objective has no minimum
            within the budget.
        """
        self._validate_params()
        objective = spec.objective(*rows)
        self._check_objective(spec, objective.n_params)
        blank = Certificate(self.epsilon, self.delta, self.budget, 0.0, method=self._method())
        state = CertifiedState(clone(self), None, spec.weight_scale, self._entropy(), 0, blank, {})
        return self._perturbed_fit(objective, theta, state, spec.loss)

    def _method(self):
        step = {
            "one_step": "one Newton step",
            "stored_hessian": "one Newton step with the stored Hessian",
            "iterate": "Newton iterated",
        }[self.removal]
        return f"loss perturbation (Guo et al. 2020), {step}"

    def _perturbed_fit(self, objective, theta0, state, loss):
        """Fresh noise, the perturbed minimiser from ``theta0``, and its measured residual."""
        basis = free_basis(objective.layout, loss)
        b = sample_perturbation(
            state.rng(), objective.n_params, self.epsilon, self.delta, self.budget, basis
        )
        perturbed = PerturbedObjective(objective, b)
        result = newton(
            perturbed, theta0, tol=self.tol, max_iter=self.max_iter, reuse_hessian=True
        )
        spent = measured_residual(perturbed, result.theta)
        if not spent <= self.budget:
            raise ValueError(_unfit_message(result.converged, spent, self.budget))
        certificate = replace(state.certificate, spent=spent, deletions_since_retrain=0)
        # ||C^(1/2) X~||_2 over the rows of this fit, and their row-weight scale: removals
        # only lower it (Corollary 1's factor without a Gram matrix per removal).
        extra = {"spectral": weighted_spectral_norm(objective), "scale": state.weight_scale}
        if self.removal != "one_step":  # the loss Hessian per unit row weight
            extra["anchor"] = result.theta
            extra["loss_hessian"] = objective.loss_hessian(result.theta) / state.weight_scale
        state = replace(
            state, perturbation=b, draws=state.draws + 1, certificate=certificate, extra=extra
        )
        return result.theta, state

    def _run(self, problem):
        state = _state_of(problem)
        certificate = state.certificate
        n_forget = len(problem.forget_positions)
        if problem.vanished:
            return self._exhausted(problem, state, "the deletion removes a class")
        objective = problem.retain_objective()
        if self.removal == "iterate":
            theta, spent, extra = self._iterate(problem, objective, state)
        else:
            theta, spent, extra = self._one_step(problem, objective, state)
        if not spent <= self.budget:
            return self._exhausted(
                problem, state, f"the removal would spend {spent:.3g} of {self.budget:.3g}"
            )
        certificate = replace(
            certificate,
            spent=spent,
            deletions_since_retrain=certificate.deletions_since_retrain + n_forget,
        )
        new_state = replace(
            state, weight_scale=problem.weight_scale, certificate=certificate, extra=extra
        )
        return _result(theta, new_state)

    def _one_step(self, problem, objective, state):
        """Algorithm 2 of Guo et al.: one Newton step from the removed rows' gradient."""
        theta, extra = problem.theta0, state.extra
        rho = problem.weight_scale / state.weight_scale
        forget = objective.with_rows(
            problem.X_forget, problem.y_forget, problem.forget_weight, l2=0.0
        )
        # grad L_b(theta; D') - rho grad L_b(theta; D): the part of the new gradient the
        # removal causes (rho != 1 when the objective is a weighted mean, "paper").
        change = -forget.value_grad(theta)[1]
        change += (1.0 - rho) * (objective.l2_diagonal * theta + state.perturbation)
        if self.removal == "stored_hessian":  # downdated at the anchor: no Hessian pass
            hessian, extra = _stored_hessian(problem, objective, forget, extra)
            offset = theta - extra["anchor"]
        else:
            hessian, offset = objective.hessian(theta), None
        factor = scipy.linalg.cho_factor(hessian, check_finite=False)
        step = -scipy.linalg.cho_solve(factor, change, check_finite=False)
        gamma = loss_constants(problem.loss, "CertifiedNewton").hessian_lipschitz
        growth = problem.weight_scale / extra["scale"]  # 1 unless a weighted mean
        spectral = extra["spectral"] * np.sqrt(growth)
        bound = newton_residual_bound(objective, step, gamma, spectral, offset)
        rows = int(np.count_nonzero(objective.weights))
        bound += step_rounding_bound(hessian, step, rows, forget, theta)
        return theta + step, float(rho * state.certificate.spent + bound), extra

    def _iterate(self, problem, objective, state):
        """Newton to ``tol`` on the perturbed retain objective, its first steps with the
        stored Hessian (while they contract); its measured residual."""
        forget = objective.with_rows(
            problem.X_forget, problem.y_forget, problem.forget_weight, l2=0.0
        )
        hessian, extra = _stored_hessian(problem, objective, forget, state.extra)
        perturbed = PerturbedObjective(objective, state.perturbation)
        result = newton(
            perturbed,
            problem.theta0,
            tol=self.tol,
            max_iter=self.max_iter,
            hessian=hessian,
            reuse_hessian=True,
        )
        return result.theta, measured_residual(perturbed, result.theta), extra

    def _exhausted(self, problem, state, why):
        """Retrain with fresh noise on the remaining rows, or refuse."""
        if self.on_exhausted == "raise":
            certificate = state.certificate
            raise CertificateExhaustedError(
                f"Certified removal refused: {why} (spent {certificate.spent:.3g} of the "
                f"budget {certificate.budget:.3g} after {certificate.deletions_since_retrain} "
                "deletions). The estimator is unchanged; refit it, or use "
                "on_exhausted='retrain' to retrain with fresh noise automatically."
            )
        theta0 = problem.refit(problem).theta
        state = replace(state, weight_scale=problem.weight_scale)
        theta, state = self._perturbed_fit(problem.retain_objective(), theta0, state, problem.loss)
        certificate = replace(state.certificate, retrains=state.certificate.retrains + 1)
        return _result(theta, replace(state, certificate=certificate))


def _stored_hessian(problem, objective, forget, extra):
    """The Hessian kept at the anchor, downdated by the removed rows: ``(H, new extra)``."""
    removed = forget.with_rows(forget.X, forget.y, problem.forget_sample_weight)
    loss_hessian = extra["loss_hessian"] - removed.loss_hessian(extra["anchor"])
    hessian = objective.regularize(problem.weight_scale * loss_hessian)
    return hessian, {**extra, "loss_hessian": loss_hessian}


def _unfit_message(converged, spent, budget):
    if converged:
        return (
            f"The perturbed fit's gradient residual, with its worst-case rounding bound "
            f"(which grows with the number of rows), is {spent:.3g}: above the budget "
            f"{budget:.3g}, so not even the fit is certified. Take a budget above it."
        )
    return (
        f"The perturbed objective was minimised only to a gradient residual of {spent:.3g}, "
        f"above the budget {budget:.3g}: with an unpenalised intercept a large perturbation "
        "leaves no minimum. Take a larger epsilon, a smaller budget, or fit_intercept=False."
    )


def _state_of(problem):
    state = problem.certified
    if state is None:
        raise ValueError(
            "This estimator was not fitted with a certified unlearner: its training drew no "
            "noise. Refit it with the certified unlearner set."
        )
    return state


def _result(theta, state):
    return UnlearningResult(
        theta,
        empty_history(),
        n_iter=1,
        fitted={"_certified": state, "certificate_": state.certificate},
    )
