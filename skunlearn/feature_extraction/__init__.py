"""Feature extraction that can unlearn: text vectorizers in :mod:`.text`."""

from . import text

__all__ = ["text"]
