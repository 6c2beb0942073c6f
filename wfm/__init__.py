"""The ``wfm`` command line: thin sub-commands over :mod:`forecasting` and :mod:`optimiser`."""
