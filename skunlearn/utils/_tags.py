"""Estimator tags that say whether, and how well, an estimator can unlearn.

scikit-learn's :class:`sklearn.utils.Tags` is a slotted dataclass; like
imbalanced-learn's sampler tags, skunlearn extends it by a subclass with one
more field, ``unlearn_tags``, filled from the parent's tags in
``__sklearn_tags__``. Tools that know nothing of unlearning still read every
scikit-learn tag; tools that do ask :func:`is_unlearner`.
"""

from dataclasses import dataclass, fields

from sklearn.utils import Tags as SklearnTags
from sklearn.utils import get_tags

__all__ = ["Tags", "UnlearnTags", "is_unlearner", "with_unlearn_tags"]


@dataclass(slots=True)
class UnlearnTags:
    """What an estimator's ``unlearn`` promises.

    Parameters
    ----------
    oracle_tolerance : float or None, default=None
        The normalised distance ``||w_u - w_oracle|| / ||w_original -
        w_oracle||`` that the configured unlearner reaches against a tight refit
        on the remaining rows (the oracle): ``1e-10`` for quadratic objectives
        such as :class:`~skunlearn.Ridge`, ``1e-6`` for iterative fits such as
        :class:`~skunlearn.LogisticRegression`. None for an approximate
        unlearner (descent-ascent and the like), which promises only the
        contract (validation, atomicity, no trace), not the oracle.
    sparse : bool, default=True
        Whether ``unlearn`` takes forget rows as a sparse (CSR) matrix, and
        whether a model fitted on sparse ``X`` (see ``input_tags.sparse``) can
        unlearn.
    unlearner_param : str or None, default="unlearner"
        The parameter, for ``set_params``, that selects the unlearning strategy
        (a :class:`~skunlearn.unlearners.BaseUnlearner`); None if there is none.

    Examples
    --------
    >>> from skunlearn.utils import UnlearnTags
    >>> UnlearnTags(oracle_tolerance=1e-10)
    UnlearnTags(oracle_tolerance=1e-10, sparse=True, unlearner_param='unlearner')
    """

    oracle_tolerance: float | None = None
    sparse: bool = True
    unlearner_param: str | None = "unlearner"


@dataclass(slots=True)
class Tags(SklearnTags):
    """The tags of scikit-learn's :class:`sklearn.utils.Tags` plus ``unlearn_tags``.

    Parameters
    ----------
    estimator_type, target_tags, transformer_tags, classifier_tags, regressor_tags : object
        As in :class:`sklearn.utils.Tags`.
    array_api_support, no_validation, non_deterministic, requires_fit : bool
        As in :class:`sklearn.utils.Tags`.
    _skip_test, input_tags : object
        As in :class:`sklearn.utils.Tags`.
    unlearn_tags : UnlearnTags or None, default=None
        What the estimator's ``unlearn`` promises; None if it cannot unlearn.

    Examples
    --------
    >>> from sklearn.utils import get_tags
    >>> from skunlearn import Ridge
    >>> get_tags(Ridge()).unlearn_tags.oracle_tolerance
    1e-10
    """

    unlearn_tags: UnlearnTags | None = None


def with_unlearn_tags(tags, unlearn_tags):
    """``tags`` (any :class:`sklearn.utils.Tags`) as :class:`Tags` with ``unlearn_tags``.

    For an estimator's ``__sklearn_tags__``: the nested tag objects are
    shared with ``tags``, not copied, as scikit-learn's own mixins do.

    Parameters
    ----------
    tags : sklearn.utils.Tags
        The tags from ``super().__sklearn_tags__()``.
    unlearn_tags : UnlearnTags or None
        What the estimator's ``unlearn`` promises.

    Returns
    -------
    tags : Tags
        Every field of ``tags``, plus ``unlearn_tags``.

    Examples
    --------
    >>> from sklearn.utils import Tags as SklearnTags, TargetTags
    >>> from skunlearn.utils import UnlearnTags, with_unlearn_tags
    >>> plain = SklearnTags(estimator_type="regressor", target_tags=TargetTags(required=True))
    >>> tags = with_unlearn_tags(plain, UnlearnTags(oracle_tolerance=1e-6))
    >>> tags.estimator_type, tags.unlearn_tags.oracle_tolerance
    ('regressor', 1e-06)
    """
    values = {item.name: getattr(tags, item.name) for item in fields(SklearnTags)}
    return Tags(**values, unlearn_tags=unlearn_tags)


def is_unlearner(estimator):
    """Whether ``estimator`` can unlearn: its tags carry :class:`UnlearnTags`.

    Parameters
    ----------
    estimator : estimator instance
        The estimator to test (fitted or not).

    Returns
    -------
    out : bool
        True if ``get_tags(estimator).unlearn_tags`` is set.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge as SklearnRidge
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils import is_unlearner
    >>> is_unlearner(Ridge()), is_unlearner(SklearnRidge())
    (True, False)
    """
    return getattr(get_tags(estimator), "unlearn_tags", None) is not None
