"""The whole app on SQLite and PostgreSQL: it starts without errors, and the dashboard and the
order list answer with the demo shop loaded."""
import logging

from tests.conftest import DEMO_PASSWORD, login
from tests.support.web_backends import any_web_app  # noqa: F401  (fixture)


def test_app_starts_cleanly_and_pages_answer(any_web_app, caplog):  # noqa: F811
    from app.demo import load_demo
    from app.security.sync import sync_roles
    caplog.set_level(logging.ERROR)
    with any_web_app.app_context():
        any_web_app.appbuilder.sm.create_db()
        sync_roles(any_web_app)
        load_demo(any_web_app, password=DEMO_PASSWORD)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    client = any_web_app.test_client()
    login(client, "supervisor")
    home = client.get("/")
    assert home.status_code == 200 and "Revenue per day" in home.get_data(as_text=True)
    assert client.get("/orderview/list/").status_code == 200
