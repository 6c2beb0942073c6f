"""Reading a CSV table for a file format's reader: one wording for a missing or unreadable file."""

from __future__ import annotations

import os
from typing import IO

import pandas as pd

from wfm.io.common import read_csv

__all__ = ["read_csv_table", "source_name"]


def source_name(source: str | os.PathLike | IO) -> str:
    """How messages name a file: its path, or a file object's ``name`` (``"<upload>"`` without one)."""
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    return str(getattr(source, "name", None) or "<upload>")


def read_csv_table(source: str | os.PathLike | IO, what: str, **read_csv_kwargs) -> pd.DataFrame:
    """``pandas.read_csv(source, **read_csv_kwargs)`` through :func:`wfm.io.common.read_csv` (size limits,
    formula text restored), a missing or unreadable file refused by name.

    Raises
    ------
    WfmInputError
        ``"<file>: <what> not found"`` or ``"<file>: not a readable CSV (<reason>)"``.
    """
    name = source_name(source)
    return read_csv(source, what.removesuffix(" file"), name, **read_csv_kwargs)
