"""Schema-driven fuzzing of the whole REST API (/api/v1/_openapi) with schemathesis, in-process
against the app (WSGI), as an admin and as a clerk: no request may get a server error.

Bounded by ``SCHEMATHESIS_MAX_EXAMPLES`` (examples per operation, each sent as both roles; 5 by
default so the run takes two or three minutes, more for a deeper search). The examples are the
same on every run unless ``SCHEMATHESIS_SEED`` picks another set (to search further, or replay).

Jobs are enqueued but not run (``EMBEDDED_WORKER=False``): an action that books a parcel or issues
an invoice answers as it does for a user, without a background job calling a provider for minutes
after the test. No operation is excluded.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as fixed_seed

from app.extensions import db
from tests.conftest import PG_URL, api_token, make_app, normalize_pg_url, truncate_all
from tests.support import seed

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
SEED = os.environ.get("SCHEMATHESIS_SEED")
ROLES = ["admin", "clerk"]


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory):
    """The app on PostgreSQL when DATABASE_URL names one (CI), else on SQLite."""
    overrides = {}
    if PG_URL:
        truncate_all(sa.create_engine(normalize_pg_url(PG_URL), poolclass=sa.pool.NullPool))
        overrides["SQLALCHEMY_DATABASE_URI"] = normalize_pg_url(PG_URL)
    app = make_app(tmp_path_factory.mktemp("fuzz"), EMBEDDED_WORKER=False, **overrides)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 to report, not a test error
    with app.app_context():
        mine, _ = seed.two_warehouses_of_records(db.session)  # a record of each kind to find
        mine.assigned_users.append(app.appbuilder.sm.find_user(username="clerk"))  # scoped
        db.session.commit()
        db.session.remove()
    return app


def _operations(app, headers):
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=headers)
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.timeout(max(600, 120 * MAX_EXAMPLES))
def test_no_request_gets_a_server_error(fuzzed_app):
    """Every operation, MAX_EXAMPLES generated requests each, sent as each role."""
    tokens = {role: api_token(fuzzed_app.test_client(), role) for role in ROLES}
    errors: dict[str, str] = {}
    operations = list(_operations(fuzzed_app, tokens["admin"]))
    assert len(operations) > 100

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=SEED is None,
                  phases=[Phase.explicit, Phase.generate], database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case):
            for role, headers in tokens.items():
                response = case.call(headers=headers)
                if response.status_code >= 500:  # recorded, not raised: no time spent shrinking
                    errors.setdefault(f"{case.method} {operation.path}", (
                        f"{role}: {case.method} {case.formatted_path} → {response.status_code} "
                        f"query={case.query} body={case.body!r}: {response.text[:300]}"))

        (fixed_seed(int(SEED))(fuzz) if SEED else fuzz)()
    assert not errors, "\n".join(errors.values())
