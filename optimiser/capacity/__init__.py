"""Long-range capacity plan (issue 20): how many operators to hire, when, and the accessibility each
month gets until they are productive.

``spec`` (the typed inputs), ``settings`` (settings mapping <-> spec), ``demand`` (representative
weeks and their Erlang requirement per month), ``supply`` (today's staff and hiring classes by
tenure), ``problem`` (all of it prepared once), ``evaluate`` (a plan's month table), ``optimise``
(the hiring integer programme) and ``simulate`` (P10/P50/P90 bands).  See ``docs/capacity.md``.
"""
