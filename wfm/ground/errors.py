"""The one exception type for bad input, shared by every package.

Messages name the thing (file, row, column or parameter), the rule broken and
the value seen, e.g. ``aht_seconds must be > 0, got -3 (row 118 of history.csv)``.
Library code names *parameters*, never command-line flags; the CLI (``wfm.cli``)
prints the message without a traceback, adds the flag that sets the parameter
when ``parameter`` is given, and exits with code 2.

A reader that checks a whole file collects its problems in an :class:`ErrorList` and raises
them together.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import numpy as np
import pandas as pd


class WfmInputError(ValueError):
    """Input that breaks a documented rule.

    Parameters
    ----------
    message : str
        Full human-readable message: what, where, which rule, which value.
    errors : list of str, optional
        When several problems are found at once (an importer checks the whole
        file), each one as its own message; ``message`` then summarises.
    parameter : str, optional
        The library parameter the message is about (``"horizon_days"``), so that
        an interface can say which of its own controls sets it (the CLI's flag,
        the app's widget) without the library knowing either.
    """

    def __init__(self, message: str, errors: list[str] | None = None, *, parameter: str | None = None):
        super().__init__(message)
        self.errors = list(errors) if errors else [message]
        self.parameter = parameter


#: A reader lists at most this many problems; the rest are counted ("... and N more errors").
MAX_ERRORS = 50


def column_label(column: str) -> str:
    """A column name as shown in messages: quoted when it holds ':', ',', a quote or edge spaces."""
    if re.search(r"[:,'\"\n]", column) or column != column.strip() or not column:
        return "'" + column.replace("'", "?").replace("\n", " ") + "'"
    return column


def cell_text(value: Any) -> str:
    """A cell value as shown in messages: quoted, cut at 60 characters, or ``an empty cell``."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return "an empty cell"
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)


def file_error(source: str, rule: str) -> WfmInputError:
    """``"<source>: <rule>"`` as an error with that one message."""
    message = f"{source}: {rule}"
    return WfmInputError(message, errors=[message])


class ErrorList:
    """Collects every problem a reader finds in one file, then raises them together.

    Keeps the first :data:`MAX_ERRORS` messages and counts the rest; each message names the
    file (``source``), and where known the row (the header is row 1), the column, the rule and
    the value.
    """

    def __init__(self, source: str):
        self.source = source
        self.messages: list[str] = []
        self.total = 0

    def __bool__(self) -> bool:
        return self.total > 0

    @property
    def room(self) -> int:
        """Messages that may still be listed."""
        return max(MAX_ERRORS - len(self.messages), 0)

    def add(self, message: str) -> None:
        """One problem, written in full."""
        self.total += 1
        if len(self.messages) < MAX_ERRORS:
            self.messages.append(message)

    def count(self, more: int) -> None:
        """Problems found but not listed (the caller listed as many as :attr:`room` allowed)."""
        self.total += max(int(more), 0)

    def file(self, rule: str) -> None:
        """A problem of the whole file."""
        self.add(f"{self.source}: {rule}")

    def column(self, column: str, rule: str) -> None:
        """A problem of one column."""
        self.add(f"{self.source}, column {column_label(column)}: {rule}")

    def cells(self, rows: Iterable[int], column: str, values: Iterable[Any], rule: str) -> None:
        """One message per bad cell; ``rows`` are the file's row numbers."""
        rows = list(rows)
        room = self.room
        for row, value in zip(rows[:room], list(values)[:room]):
            self.messages.append(f"{self.source}, row {int(row)}, column {column_label(column)}: {rule}; "
                                 f"got {cell_text(value)}")
        self.total += len(rows)

    def raise_if_any(self) -> None:
        """Raise one :class:`WfmInputError` listing every problem, if there is any."""
        if not self.total:
            return
        listed = list(self.messages)
        if self.total > len(listed):
            listed.append(f"{self.source}: ... and {self.total - len(listed)} more errors")
        head = f"{self.source}: {self.total} error{'s' if self.total != 1 else ''} found"
        raise WfmInputError("\n".join([head, *listed]), errors=listed)
