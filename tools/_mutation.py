"""One mutation of ``tools/mutation_run.py``: a snippet replaced, and the tests that catch it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    original: str
    replacement: str
    tests: tuple
