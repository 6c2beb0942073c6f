"""Plan-store fixtures: every store test runs on SQLite and on PostgreSQL.

The PostgreSQL parameter needs ``WFM_TEST_POSTGRES_URL`` (``eval "$(bash
.ci/postgres.sh)"`` starts a server and prints it).  Without it the parameter
is skipped, except when ``CI`` is set: then a missing server is a failure.
Each PostgreSQL test gets its own schema (dropped afterwards), so tests can
run in parallel under pytest-xdist.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
import sqlalchemy as sa

POSTGRES_ENV = "WFM_TEST_POSTGRES_URL"


def _postgres_base_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set but CI is: run `eval \"$(bash .ci/postgres.sh)\"` first "
                        f"so the plan store is tested on a real PostgreSQL server")
        pytest.skip(f"{POSTGRES_ENV} not set (start a server with: eval \"$(bash .ci/postgres.sh)\")")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database URL of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'wfm.sqlite'}"
        return
    base = _postgres_base_url()
    schema = f"wfm_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"{POSTGRES_ENV}={base!r} is set but the server cannot be reached: {exc.orig}")
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
