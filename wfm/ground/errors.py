"""The one exception type for bad input, shared by every package.

Messages name the thing (file, row, column or parameter), the rule broken and
the value seen, e.g. ``aht_seconds must be > 0, got -3 (row 118 of history.csv)``.
Library code names *parameters*, never command-line flags; the CLI (``wfm.cli``)
prints the message without a traceback, adds the flag that sets the parameter
when ``parameter`` is given, and exits with code 2.
"""

from __future__ import annotations


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
