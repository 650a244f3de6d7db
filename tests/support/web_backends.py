"""The whole web application on each available database: SQLite always, PostgreSQL too when
``DATABASE_URL`` is set (the same test database as the ``session`` fixture, emptied first).

Import the fixture into a test module: ``from tests.support.web_backends import any_web_app``.
"""
from __future__ import annotations

import pytest

from tests.conftest import BACKENDS, PG_URL, make_app, normalize_pg_url, truncate_all


@pytest.fixture(params=BACKENDS)
def any_web_app(request, tmp_path):
    overrides = {}
    if request.param == "postgresql":
        truncate_all(request.getfixturevalue("pg_engine"))
        overrides["SQLALCHEMY_DATABASE_URI"] = normalize_pg_url(PG_URL)
    app = make_app(tmp_path, **overrides)
    yield app
    with app.app_context():
        from app.extensions import db
        db.session.remove()
        db.engine.dispose()
