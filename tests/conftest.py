"""Shared fixtures.

Database tests run on SQLite always, and on PostgreSQL too when ``DATABASE_URL`` points at one
(``.ci/run`` and ``make test`` with the services up set it): the ``session`` fixture is
parametrized over the available backends. Redis tests use ``REDIS_URL`` the same way.
"""
from __future__ import annotations

import os
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from app.security import crypto

crypto.set_key(os.environ.get("CREDENTIALS_KEY") or "x2yqv6ZSc0JUBt3ba3AKs3uTQ0OaZVYG0TAvMnXSwm0=")

import app.models  # noqa: E402  (registers every table)
from app.services.session_rules import session_factory as ruled_sessions  # noqa: E402
from app.models.base import Model  # noqa: E402

PG_URL = os.environ.get("DATABASE_URL")
REDIS_URL = os.environ.get("REDIS_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def normalize_pg_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _sqlite_engine():
    engine = sa.create_engine("sqlite://", poolclass=StaticPool,
                              connect_args={"check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _fk_on(dbapi_conn, _):
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    from app.db_rules import install_database_rules
    Model.metadata.create_all(engine)
    install_database_rules(engine)
    return engine


@pytest.fixture(scope="session")
def pg_engine():
    """The PostgreSQL test database, schema created once per run (required: DATABASE_URL)."""
    if not PG_URL:
        pytest.skip("DATABASE_URL is not set: PostgreSQL tests need it (.ci/run sets it)")
    from app.db_rules import install_database_rules
    engine = sa.create_engine(normalize_pg_url(PG_URL), pool_size=20, max_overflow=20)
    name = engine.url.database or ""
    if not any(word in name for word in ("test", "ci", "orderhub_")) and \
            os.environ.get("ORDERHUB_TESTS_MAY_WIPE") != name:
        pytest.exit(f"The tests empty the database DATABASE_URL names, and {name!r} does not look "
                    "like a test database: name one with 'test' or 'ci' in it, or set "
                    f"ORDERHUB_TESTS_MAY_WIPE={name} to agree.", returncode=2)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    Model.metadata.create_all(engine)
    install_database_rules(engine)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _no_jobs_left_for_the_next_test():
    """What a test left on an in-process queue (a retry waiting for its delay, a debounced stock
    push) is dropped when it ends: it would otherwise run during a later test, in its old app."""
    yield
    from jobs.queue import EMBEDDED_RUNTIMES
    for runtime in list(EMBEDDED_RUNTIMES):
        try:
            runtime.connection.flushall()
        except Exception:  # a queue being torn down with its app
            pass


def truncate_all(engine, tables=None) -> None:
    """Empty ``tables`` (all by default) on PostgreSQL.

    A background thread of the previous test (a carrier's callback, a worker's last write) may
    still hold a table TRUNCATE wants, and PostgreSQL then breaks the deadlock by failing one of
    the two; the emptying is tried again once that thread is done.
    """
    from app.db_rules import allow_truncate_sql
    names = ", ".join(f'"{t.name}"' for t in (tables or Model.metadata.sorted_tables))
    for attempt in range(5):
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
                # The permanent records refuse TRUNCATE unless the transaction says it means it
                # (app/db_rules.py): the operator's documented way to archive, used here too.
                conn.execute(sa.text(allow_truncate_sql("postgresql")))
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        except sa.exc.OperationalError as exc:
            code = getattr(exc.orig, "sqlstate", None)
            if code not in ("40P01", "55P03") or attempt == 4:  # deadlock, lock not available
                raise
            time.sleep(0.5 * (attempt + 1))


@pytest.fixture(params=BACKENDS)
def engine(request):
    """A clean database: a fresh in-memory SQLite, or the PostgreSQL test database emptied."""
    if request.param == "sqlite":
        eng = _sqlite_engine()
        yield eng
        eng.dispose()
    else:
        eng = request.getfixturevalue("pg_engine")
        truncate_all(eng)
        yield eng


@pytest.fixture
def session(engine) -> Session:
    factory = ruled_sessions(bind=engine, expire_on_commit=False)
    s = factory()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def session_factory(engine):
    """For tests that need several independent sessions (threads, retries)."""
    return ruled_sessions(bind=engine, expire_on_commit=False)


@pytest.fixture
def pg_session_factory(pg_engine):
    truncate_all(pg_engine)
    return ruled_sessions(bind=pg_engine, expire_on_commit=False)


# --- the whole web application -------------------------------------------------------------------
DEMO_PASSWORD = "demo-password-123"


_TEMPLATE_DB: list = []  # a SQLite file with the schema, rules, permissions and users, made once


def _build_app(tmp_path, settings):
    from app import create_app
    from config import TestConfig
    os.environ["ORDERHUB_INSTANCE"] = str(tmp_path)
    app = create_app(TestConfig, **settings)
    with app.app_context():
        from app.db_rules import install_database_rules
        from app.demo import ensure_users
        from app.extensions import db
        install_database_rules(db.engine)
        ensure_users(app, DEMO_PASSWORD)
    return app


def make_app(tmp_path, **overrides):
    """The whole app on a fresh SQLite file (or the database ``overrides`` name), with the roles
    synced and users admin, supervisor and clerk.

    Creating the schema and syncing Flask-AppBuilder's permissions costs seconds; on SQLite it is
    done once per run into a template file that each app then copies, so an app costs a fraction.
    """
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.db'}",
                "REDIS_URL": None, "MAIL_OUTBOX": str(tmp_path / "mail")}
    settings.update(overrides)
    if "SQLALCHEMY_DATABASE_URI" in overrides:
        return _build_app(tmp_path, settings)
    import shutil
    import tempfile
    from pathlib import Path
    if not _TEMPLATE_DB:
        folder = Path(tempfile.mkdtemp(prefix="orderhub-template-"))
        template = _build_app(folder, {**settings, "SQLALCHEMY_DATABASE_URI":
                                       f"sqlite:///{folder / 'app.db'}"})
        with template.app_context():
            from app.extensions import db
            db.session.remove()
            db.engine.dispose()
        _TEMPLATE_DB.append(folder / "app.db")
    shutil.copyfile(_TEMPLATE_DB[0], tmp_path / "app.db")
    return _build_app(tmp_path, {**settings, "FAB_UPDATE_PERMS": False, "FAB_CREATE_DB": False})


@pytest.fixture
def web_app(tmp_path):
    """The full app on a fresh SQLite file, with users admin, supervisor and clerk."""
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        from app.extensions import db
        db.session.remove()
        db.engine.dispose()


def login(client, username: str) -> None:
    resp = client.post("/login/", data={"username": username, "password": DEMO_PASSWORD})
    assert resp.status_code == 302, f"login of {username} failed"


def api_token(client, username: str) -> dict:
    resp = client.post("/api/v1/security/login",
                       json={"username": username, "password": DEMO_PASSWORD, "provider": "db"})
    assert resp.status_code == 200, resp.json
    return {"Authorization": f"Bearer {resp.json['access_token']}"}


def pytest_collection_modifyitems(config, items):
    """A test marked ``postgres`` needs real concurrency: run only its PostgreSQL parametrization
    (it is not even collected for SQLite, rather than showing up as skipped); one marked ``sqlite``
    states SQLite's own behaviour: run only its SQLite parametrization."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("engine") if callspec is not None else None
        wrong = (item.get_closest_marker("postgres") and backend == "sqlite") or \
            (item.get_closest_marker("sqlite") and backend not in (None, "sqlite"))
        (drop if wrong else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
