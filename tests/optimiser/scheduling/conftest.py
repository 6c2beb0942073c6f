"""Fixtures for these tests; the plain builders live in sched_builders.py (test files import them by
that name: importing them from ``conftest`` picked whichever conftest module Python had loaded first)."""

import pytest

from tests.optimiser.scheduling.sched_builders import make_rules


@pytest.fixture
def tiny_rules():
    return make_rules()
