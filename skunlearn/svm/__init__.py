"""Support vector machines that can unlearn training rows."""

from ._classes import LinearSVC

__all__ = ["LinearSVC"]
