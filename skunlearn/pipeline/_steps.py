"""Which pipeline steps may be refitted when unlearning, and how a refitted step is adopted.

A transformer step is unlearned by refitting a clone of it (with the
hyperparameters of ``fit``) on the remaining rows as the refitted steps
before it output them: the pipeline refit's step, by construction. That is
unlearning only when the step keeps no trace of rows in any other way, so a
step must be one of:

- an unlearnable transformer (:class:`~skunlearn.preprocessing.UnlearnTransformerMixin`:
  it keeps its own rows and refits on the remaining ones);
- a stateless transformer (``requires_fit=False``: ``FunctionTransformer``,
  ``Normalizer``, ...) or one whose fit reads only the shape of its input
  (``PolynomialFeatures``): refitting it on any rows gives the same state;
- ``"passthrough"``, ``"drop"``, or a ``ColumnTransformer``, ``FeatureUnion``
  or nested pipeline all of whose parts are.

Anything else (a plain scikit-learn ``StandardScaler`` fitted on every row)
is refused by name, with :class:`StepNotUnlearnableError`.
"""

import copy

from sklearn.compose import ColumnTransformer
from sklearn.pipeline import FeatureUnion
from sklearn.pipeline import Pipeline as SklearnPipeline
from sklearn.preprocessing import PolynomialFeatures
from sklearn.utils import get_tags

from ..preprocessing import UnlearnTransformerMixin

__all__ = [
    "StepNotUnlearnableError",
    "adopt",
    "exported",
    "is_stateless",
    "may_unlearn",
    "refuse_unless_refittable",
]

_DATA_INDEPENDENT = (PolynomialFeatures,)

_ADVICE = (
    "Use an unlearnable step instead (skunlearn.preprocessing: StandardScaler, MinMaxScaler, "
    "MaxAbsScaler, OneHotEncoder, OrdinalEncoder; skunlearn.impute.SimpleImputer; "
    "skunlearn.feature_extraction.text: CountVectorizer, TfidfVectorizer; "
    "skunlearn.LogisticRegression, Ridge), or pass refit_unsupported=True to refit this step "
    "and the ones after it on the remaining rows."
)


class StepNotUnlearnableError(TypeError):
    """A pipeline step cannot unlearn rows, and refitting it was not allowed.

    Examples
    --------
    >>> from skunlearn.pipeline import StepNotUnlearnableError
    >>> issubclass(StepNotUnlearnableError, TypeError)
    True
    """


def adopt(step, new):
    """Make ``step`` (the object the pipeline holds) the fitted ``new`` one, in place."""
    if new is not step:
        vars(step).clear()
        vars(step).update(vars(new))


def is_stateless(step):
    """Whether refitting ``step`` on any rows of the right width gives the same state."""
    if isinstance(step, _DATA_INDEPENDENT):
        return True
    return not isinstance(step, str) and get_tags(step).requires_fit is False


def _parts(step):
    """``(name, part)`` of a composite step, or None for a single step."""
    if isinstance(step, ColumnTransformer):
        if hasattr(step, "transformers_"):
            return [(name, part) for name, part, _ in step.transformers_]
        return [(name, part) for name, part, _ in step.transformers] + [
            ("remainder", step.remainder)
        ]
    if isinstance(step, SklearnPipeline):
        return list(step.steps)
    if isinstance(step, FeatureUnion):
        return list(step.transformer_list)
    return None


def _refusal(what, step):
    """``(what, step)`` of the first part that may not be refitted, or None."""
    if step is None or isinstance(step, str | UnlearnTransformerMixin):
        return None
    parts = _parts(step)
    if parts is None:
        return None if is_stateless(step) else (what, step)
    for name, part in parts:
        refusal = _refusal(f"part {name!r} of {what}", part)
        if refusal is not None:
            return refusal
    return None


def may_unlearn(step):
    """Whether a non-final step may be refitted on the remaining rows (see the module)."""
    return _refusal("", step) is None


def refuse_unless_refittable(what, step):
    """Raise :class:`StepNotUnlearnableError` naming the first part that may not be refitted."""
    refusal = _refusal(what, step)
    if refusal is not None:
        what, part = refusal
        origin = f"{type(part).__name__} from {type(part).__module__.split('.')[0]}"
        raise StepNotUnlearnableError(
            f"{what[0].upper()}{what[1:]} ({origin}) cannot unlearn rows: it was fitted on "
            f"every row, forgotten ones included. {_ADVICE}"
        )


def exported(step):
    """``step`` as plain scikit-learn objects without training rows (``to_sklearn``).

    Unlearnable transformers and estimators give their ``to_sklearn()``
    (unfitted ones, the scikit-learn class with their parameters); pipelines,
    column transformers and feature unions are rebuilt around their exported
    parts; other steps are copied.
    """
    if step is None or isinstance(step, str):
        return step
    if isinstance(step, SklearnPipeline):
        out = SklearnPipeline(
            [(name, exported(part)) for name, part in step.steps],
            transform_input=step.transform_input,
            memory=step.memory,
            verbose=step.verbose,
        )
    elif isinstance(step, UnlearnTransformerMixin) and not hasattr(step, "_rows"):
        out = step._plain(step.get_params(deep=False))
    elif hasattr(step, "to_sklearn"):
        return step.to_sklearn()
    elif isinstance(step, ColumnTransformer):
        out = copy.copy(step)
        out.transformers = [(n, exported(t), c) for n, t, c in step.transformers]
        out.remainder = exported(step.remainder)
        if hasattr(step, "transformers_"):
            out.transformers_ = [(n, exported(t), c) for n, t, c in step.transformers_]
            name, remainder, columns = step._remainder
            out._remainder = (name, exported(remainder), columns)
    elif isinstance(step, FeatureUnion):
        out = copy.copy(step)
        out.transformer_list = [(n, exported(t)) for n, t in step.transformer_list]
    else:
        return copy.deepcopy(step)
    if hasattr(step, "_sklearn_output_config"):
        out._sklearn_output_config = copy.deepcopy(step._sklearn_output_config)
    return out
