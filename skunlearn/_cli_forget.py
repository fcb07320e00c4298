"""``--forget``: which rows the command line forgets.

Strategies (``--forget SPEC``):

- ``random`` (default): a seeded random ``--forget-fraction`` of the training rows;
- ``cluster``: the ``--forget-fraction`` of the training rows nearest (in the
  standardised features) to a seeded random one: a correlated set, the kind
  "Ascent Fails to Forget" shows descent-ascent cannot forget;
- ``class:LABEL``: every row of one class;
- ``ids:FILE``: the rows whose ``--id`` is listed in FILE (one per line);
- a condition on the columns, ``COLUMN OP VALUE [and COLUMN OP VALUE ...]`` with OP
  one of ``== != < <= > >=`` and VALUE a number or a quoted string, e.g.
  ``"region == 'north' and age >= 60"``; a column name with spaces is written in
  backquotes. The condition is parsed by the small grammar below, never evaluated
  as Python; missing values match no comparison.

``class``, ``ids`` and conditions name rows of the whole table: they are all kept
in the training split (the held-out rows are drawn from the others) and all forgotten.
``random`` and ``cluster`` pick among the training rows after the split.
"""

import argparse
import math
import operator
import re
from dataclasses import dataclass

import numpy as np

from ._cli_data import DataError, listing

__all__ = ["Selection", "parse_forget", "sampled_rows", "selected_rows"]

OPERATORS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op>==|!=|<=|>=|<|>)
      | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?![\w.])
      | '(?P<single>[^']*)'
      | "(?P<double>[^"]*)"
      | `(?P<quoted>[^`]+)`
      | (?P<name>[A-Za-z_][\w.]*)
    )""",
    re.VERBOSE,
)
_PREFIXED = re.compile(r"^(?P<kind>class|ids):(?P<argument>.+)$", re.DOTALL)


@dataclass(frozen=True)
class Selection:
    """A parsed ``--forget``: its kind, argument and (for conditions) clauses."""

    kind: str
    argument: str = ""
    clauses: tuple = ()

    def spec(self):
        """The ``--forget`` value as the user wrote it (normalised)."""
        if self.kind in ("random", "cluster", "condition"):
            return self.argument or self.kind
        return f"{self.kind}:{self.argument}"

    def describe(self):
        """The selection in words, for the report's header."""
        if self.kind in ("random", "cluster"):
            return {"random": "random rows", "cluster": "rows of one cluster"}[self.kind]
        if self.kind == "class":
            return f"the rows of class {self.argument}"
        if self.kind == "ids":
            return f"the rows whose id is listed in {self.argument}"
        return f"the rows where {self.argument}"


def parse_forget(text):
    """The argparse type of ``--forget``: a :class:`Selection`, or a one-line error."""
    text = text.strip()
    if text in ("random", "cluster"):
        return Selection(text)
    prefixed = _PREFIXED.match(text)
    if prefixed:
        return Selection(prefixed["kind"], prefixed["argument"].strip())
    try:
        return Selection("condition", text, tuple(_clauses(_tokens(text))))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None


def _tokens(text):
    tokens, position = [], 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        if not match:
            rest = text[position:].strip()
            hint = " (compare with ==)" if rest.startswith("=") else ""
            raise ValueError(f"cannot read the condition from {rest[:20]!r} on{hint}")
        kind = match.lastgroup
        value = match[kind]
        if kind in ("single", "double"):
            kind = "string"
        elif kind == "quoted":
            kind = "name"
        elif kind == "number":
            value = float(value)
        tokens.append((kind, value))
        position = match.end()
    if not tokens:
        raise ValueError("empty condition")
    return tokens


def _clauses(tokens):
    """``column op value`` clauses joined by ``and``."""
    clauses, i = [], 0
    while True:
        if i >= len(tokens) or tokens[i][0] != "name" or tokens[i][1] == "and":
            raise ValueError(_expected("a column name", tokens, i))
        column = tokens[i][1]
        if i + 1 >= len(tokens) or tokens[i + 1][0] != "op":
            raise ValueError(
                _expected(f"one of {' '.join(OPERATORS)} after {column}", tokens, i + 1)
            )
        op = tokens[i + 1][1]
        if i + 2 >= len(tokens) or tokens[i + 2][0] not in ("number", "string"):
            raise ValueError(_expected(f"a number or a quoted string after {op}", tokens, i + 2))
        clauses.append((column, op, tokens[i + 2][1]))
        i += 3
        if i == len(tokens):
            return clauses
        if tokens[i] != ("name", "and"):
            raise ValueError(_expected("'and' or the end", tokens, i))
        i += 1


def _expected(what, tokens, i):
    got = "the end" if i >= len(tokens) else repr(tokens[i][1])
    return f"expected {what}, got {got}"


def selected_rows(selection, table, classification):
    """Rows of the whole table that ``class``, ``ids`` or a condition names; None otherwise.

    ``classification`` says whether the model's target holds classes (``class:``
    needs it).

    Raises
    ------
    DataError
        An unknown class, column or id, a comparison the column's type does not
        support, or a selection that matches no row or every row.
    """
    if selection.kind in ("random", "cluster"):
        return None
    if selection.kind == "class":
        mask = _class_mask(selection.argument, table, classification)
    elif selection.kind == "ids":
        mask = _ids_mask(selection.argument, table)
    else:
        mask = np.ones(len(table.y), dtype=bool)
        for clause in selection.clauses:
            mask &= _clause_mask(clause, table.columns)
    rows = np.flatnonzero(mask)
    if not len(rows):
        raise DataError(f"--forget {selection.spec()}: no row matches")
    if len(rows) == len(mask):
        raise DataError(f"--forget {selection.spec()}: every row matches; nothing would remain")
    return rows


def _class_mask(label, table, classification):
    if not classification:
        raise DataError(f"--forget class:{label}: the target {table.target} holds no classes")
    labels = np.array([str(value) for value in table.y])
    if label not in set(labels):
        known = ", ".join(sorted(set(labels))[:12])
        raise DataError(f"--forget class:{label}: no such class; the classes are {known}")
    return labels == label


def _ids_mask(path, table):
    if table.ids is None:
        raise DataError("--forget ids:FILE needs --id COLUMN (the column the ids are in)")
    try:
        with open(path, encoding="utf-8") as handle:
            wanted = {line.strip() for line in handle if line.strip()}
    except OSError as error:
        raise DataError(f"--forget ids:{path}: cannot read it ({error.strerror})") from None
    stored = np.array([str(value) for value in table.ids])
    unknown = wanted - set(stored)
    if unknown:
        raise DataError(
            f"--forget ids:{path}: {len(unknown)} of its {len(wanted)} ids are not in the "
            f"table (e.g. {sorted(unknown)[0]!r})"
        )
    return np.isin(stored, list(wanted))


def _clause_mask(clause, columns):
    name, op, value = clause
    if name not in columns:
        raise DataError(f"--forget: no column {name!r}; {listing(list(columns))}")
    column = columns[name]
    numeric = column.dtype.kind in "biuf"
    if isinstance(value, float) != numeric:
        holds = "numbers" if numeric else "text"
        use = "a number" if numeric else "a quoted string"
        raise DataError(f"--forget: column {name!r} holds {holds}: compare it with {use}")
    if numeric:
        present = ~np.isnan(column.astype(np.float64))
        with np.errstate(invalid="ignore"):
            return present & OPERATORS[op](column.astype(np.float64), value)
    if op not in ("==", "!="):
        raise DataError(f"--forget: {op} compares numbers; column {name!r} holds text")
    present = np.array([not _is_missing(item) for item in column])
    text = np.array([str(item) for item in column])
    return present & OPERATORS[op](text, value)


def _is_missing(item):
    return item is None or (isinstance(item, float) and math.isnan(item))


def sampled_rows(selection, n_train, fraction, seed, features=None):
    """Positions among the training rows for ``random`` and ``cluster``.

    ``features`` (the standardised training features) are needed for ``cluster``:
    the rows nearest to a seeded random row, itself included.
    """
    rng = np.random.default_rng(seed)
    n_forget = min(n_train - 1, max(1, round(fraction * n_train)))
    if selection.kind == "random":
        return np.sort(rng.choice(n_train, n_forget, replace=False))
    centre = features[rng.integers(n_train)]
    distances = np.linalg.norm(features - centre, axis=1)
    return np.sort(np.argsort(distances, kind="stable")[:n_forget])
