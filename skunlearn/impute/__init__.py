"""Imputers that can unlearn: they keep their rows and refit on the remaining ones."""

from ._base import SimpleImputer

__all__ = ["SimpleImputer"]
