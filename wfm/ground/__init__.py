"""The shared ground: what every stage may import, and which imports no stage.

* :mod:`wfm.ground.errors` — the one exception type for bad input;
* :mod:`wfm.ground.vocabulary` — weekday names, the default zone, solver statuses;
* :mod:`wfm.ground.timegrid` — the one interval-length rule, the one offset-timestamp parser and
  writer, slots of the week;
* :mod:`wfm.ground.frames` — the column sets of the frames between stages and their checks;
* :mod:`wfm.ground.yamlfile` — the one YAML loader (safe, bounded);
* :mod:`wfm.ground.calendar` — special days (holidays, eves, bridge days);
* :mod:`wfm.ground.background` — a solve in a thread with progress and a stop request.

The layering contract (``pyproject.toml``, checked by ``tests/test_architecture.py``)
forbids this package from importing any stage.
"""
