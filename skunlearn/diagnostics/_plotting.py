"""Lazy access to matplotlib, which skunlearn does not require."""

__all__ = ["pyplot_axes"]


def pyplot_axes(ax=None):
    """Return ``ax``, or a new axes, importing matplotlib only now.

    Raises
    ------
    ImportError
        When matplotlib is missing, naming the extra that installs it.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "plot() needs matplotlib, which skunlearn does not install by default: "
            "pip install skunlearn[examples]"
        ) from exc
    if ax is None:
        _, ax = plt.subplots()
    return ax
