"""Signing in, as an attacker tries it and as a user lives it: guessed passwords are stopped per
user name and per address with a "try again in N s" in the reader's language, weak passwords are
refused wherever a password is set, signing out and changing the password end sessions on the
server, and refresh tokens work once."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuthSession
from tests.conftest import DEMO_PASSWORD, REDIS_URL, make_app
from tests.integration.test_jobs import ROOT
from tests.support.web_backends import any_web_app  # noqa: F401

NEW_PASSWORD = "a-longer-secret-2026"
WAIT = re.compile(r"Try again in (\d+) s\.")
WAIT_VI = re.compile(r"Thử lại sau (\d+) giây\.")


def _sign_in(client, username, password, lang=None):
    if lang:
        client.get(f"/lang/{lang}")
    answer = client.post("/login/", data={"username": username, "password": password},
                         follow_redirects=True)
    return answer.get_data(as_text=True)


def _signed_in(client) -> bool:
    return client.get("/orderview/list/").status_code == 200


def _api_login(client, username, password=DEMO_PASSWORD, refresh=False, lang=None):
    url = "/api/v1/security/login" + (f"?_l_={lang}" if lang else "")
    return client.post(url, json={"username": username, "password": password, "provider": "db",
                                  "refresh": refresh})


def test_guessing_a_password_locks_the_user_name_out_even_for_the_right_one(any_web_app):
    app = any_web_app
    browser = app.test_client()
    for _ in range(5):
        page = _sign_in(browser, "clerk", "wrong-password")
        assert "Invalid login" in page and not WAIT.search(page)
    page = _sign_in(browser, "clerk", DEMO_PASSWORD)  # the right one, too late
    wait = WAIT.search(page)
    assert wait and 1 <= int(wait.group(1)) <= 300, page[-2000:]
    assert not _signed_in(browser)
    # In Vietnamese, on the sign-in page and from the API (same user name: the same count).
    page = _sign_in(app.test_client(), "clerk", DEMO_PASSWORD, lang="vi")
    assert WAIT_VI.search(page), page[-2000:]
    api = _api_login(app.test_client(), "clerk", lang="vi")
    assert api.status_code == 429 and WAIT_VI.search(api.json["message"])
    assert 1 <= int(api.headers["Retry-After"]) <= 300
    # Per user name: the other users of the office still sign in.
    other = app.test_client()
    _sign_in(other, "supervisor", DEMO_PASSWORD)
    assert _signed_in(other)


def test_many_attempts_from_one_address_are_slowed_down_on_the_page_and_the_api(any_web_app):
    client = any_web_app.test_client()
    answers = [_api_login(client, f"nobody-{n}", "wrong-password") for n in range(21)]
    assert [a.status_code for a in answers[:20]] == [401] * 20
    assert answers[20].status_code == 429 and WAIT.search(answers[20].json["message"])
    pages = [_sign_in(client, f"nobody-{n}", "wrong-password") for n in range(21)]
    assert all("Invalid login" in p for p in pages[:20]) and WAIT.search(pages[20])


@pytest.mark.redis
def test_the_counts_are_shared_by_every_web_process_through_redis(tmp_path):
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set (.ci/run sets it)")
    prefix = f"orderhub-login-{os.getpid()}"
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = make_app(tmp_path / "one", REDIS_URL=REDIS_URL, RQ_QUEUE_PREFIX=prefix)
    two = make_app(tmp_path / "two", REDIS_URL=REDIS_URL, RQ_QUEUE_PREFIX=prefix)
    try:
        for app in (one, two, one, two, one):
            assert _api_login(app.test_client(), "clerk", "wrong-password").status_code == 401
        refused = _api_login(two.test_client(), "clerk")
        assert refused.status_code == 429, refused.json
    finally:
        from jobs.queue import runtime
        conn = runtime(one).connection
        for key in conn.scan_iter(f"*{prefix}*"):
            conn.delete(key)


def test_sign_in_goes_on_while_the_counts_store_is_away(tmp_path):
    app = make_app(tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0")  # nothing listens
    browser = app.test_client()
    _sign_in(browser, "clerk", DEMO_PASSWORD)
    assert _signed_in(browser)
    assert _api_login(app.test_client(), "clerk").status_code == 200


# --- the password rule -----------------------------------------------------------------------------

WEAK = {"1": "at least 10 characters", "clerk2-is-me": "must not contain the user name",
        "Password123456": "most commonly used"}
WEAK_VI = {"1": "ít nhất 10 ký tự", "clerk2-is-me": "không được chứa tên đăng nhập",
           "Password123456": "quá phổ biến"}


def _add_user_form(client, password, role):
    return client.post("/users/add", data={
        "first_name": "Lan", "last_name": "Nguyễn", "username": "clerk2", "active": "y",
        "email": "clerk2@example.vn", "roles": str(role), "password": password,
        "conf_password": password}, follow_redirects=True).get_data(as_text=True)


def test_weak_passwords_are_refused_in_the_user_forms_in_both_languages(any_web_app):
    app = any_web_app
    with app.app_context():
        clerk_role = app.appbuilder.sm.find_role("Clerk").id
    admin = app.test_client()
    _sign_in(admin, "admin", DEMO_PASSWORD)
    for lang, expected in (("en", WEAK), ("vi", WEAK_VI)):
        admin.get(f"/lang/{lang}")
        for password, message in expected.items():
            page = _add_user_form(admin, password, clerk_role)
            assert message in page, (lang, password)
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="clerk2") is None
    admin.get("/lang/en")
    page = admin.get("/users/add").get_data(as_text=True)
    assert "At least 10 characters, not containing the user name" in page  # the rule is shown
    clerk = app.test_client()
    _sign_in(clerk, "clerk", DEMO_PASSWORD)
    refused = clerk.post("/resetmypassword/form", data={"password": "clerk-1234567",
                                                        "conf_password": "clerk-1234567"},
                         follow_redirects=True).get_data(as_text=True)
    assert "must not contain the user name" in refused
    assert _sign_in(app.test_client(), "clerk", DEMO_PASSWORD)  # unchanged


def test_weak_passwords_are_refused_by_the_users_api_and_the_cli(any_web_app):
    app = any_web_app
    client = app.test_client()
    token = {"Authorization": f"Bearer {_api_login(client, 'admin').json['access_token']}"}
    with app.app_context():
        role = app.appbuilder.sm.find_role("Clerk").id
    user = {"first_name": "Lan", "last_name": "Nguyễn", "username": "clerk2", "active": True,
            "email": "clerk2@example.vn", "roles": [role]}
    for password, message in WEAK.items():
        answer = client.post("/api/v1/security/users/", json={**user, "password": password},
                             headers=token)
        assert answer.status_code == 400 and message in str(answer.json), answer.json
    made = client.post("/api/v1/security/users/", json={**user, "password": NEW_PASSWORD},
                       headers=token)
    assert made.status_code == 201, made.json
    from flask_appbuilder.cli import fab  # `flask fab …`
    runner = app.test_cli_runner()
    weak = runner.invoke(fab, args=["create-user", "--role", "Clerk", "--username", "clerk3",
                               "--firstname", "A", "--lastname", "B", "--email", "c3@example.vn",
                               "--password", "clerk3-pass"])
    assert weak.exit_code != 0 and "must not contain the user name" in weak.output
    reset = runner.invoke(fab, args=["reset-password", "--username", "clerk",
                                "--password", "1234567890"])
    assert reset.exit_code != 0 and "at least 10" not in reset.output \
        and "most commonly used" in reset.output
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="clerk3") is None


def test_the_demo_refuses_a_weak_demo_password(tmp_path):
    env = dict(os.environ, ORDERHUB_INSTANCE=str(tmp_path), DEMO_PASSWORD="admin",
               SANDBOX_ENABLED="false", REDIS_URL="", DATABASE_URL="")
    env.pop("REDIS_URL")
    env.pop("DATABASE_URL")
    run = subprocess.run([sys.executable, "run.py"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode != 0 and "DEMO_PASSWORD is refused" in run.stderr


# --- sessions that end -------------------------------------------------------------------------------

def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_after_signing_out_the_old_session_cookie_is_useless(any_web_app):
    app = any_web_app
    browser = app.test_client()
    _sign_in(browser, "clerk", DEMO_PASSWORD)
    assert _signed_in(browser)
    stolen = _cookie(browser)
    browser.get("/logout/")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert not _signed_in(replay)
    with app.app_context():
        reasons = db.session.scalars(sa.select(AuthSession.revoked_reason)).all()
    assert reasons == ["logout"]


def test_a_password_change_ends_every_other_session_and_refresh_token(any_web_app):
    app = any_web_app
    here, elsewhere = app.test_client(), app.test_client()
    for browser in (here, elsewhere):
        _sign_in(browser, "clerk", DEMO_PASSWORD)
    api = app.test_client()
    tokens = _api_login(api, "clerk", refresh=True).json
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert api.get("/api/v1/order/", headers=bearer).status_code == 200
    changed = here.post("/resetmypassword/form", data={"password": NEW_PASSWORD,
                                                       "conf_password": NEW_PASSWORD},
                        follow_redirects=True)
    assert "Password Changed" in changed.get_data(as_text=True)
    assert _signed_in(here)  # the browser that changed it carries on
    assert not _signed_in(elsewhere)
    assert api.get("/api/v1/order/", headers=bearer).status_code == 401
    refreshed = api.post("/api/v1/security/refresh",
                         headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert refreshed.status_code == 401
    assert _api_login(api, "clerk", NEW_PASSWORD).status_code == 200


def test_an_admin_resetting_a_password_ends_that_users_sessions(any_web_app):
    app = any_web_app
    clerk, admin = app.test_client(), app.test_client()
    _sign_in(clerk, "clerk", DEMO_PASSWORD)
    _sign_in(admin, "admin", DEMO_PASSWORD)
    with app.app_context():
        clerk_id = app.appbuilder.sm.find_user(username="clerk").id
    admin.post(f"/resetpassword/form?pk={clerk_id}",
               data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD})
    assert not _signed_in(clerk) and _signed_in(admin)


def test_refresh_tokens_work_once_and_a_reused_one_ends_its_session(any_web_app):
    client = any_web_app.test_client()
    first = _api_login(client, "clerk", refresh=True).json

    def refresh(token):
        return client.post("/api/v1/security/refresh", headers={"Authorization": f"Bearer {token}"})

    second = refresh(first["refresh_token"])
    assert second.status_code == 200
    assert second.json["refresh_token"] != first["refresh_token"]
    bearer = {"Authorization": f"Bearer {second.json['access_token']}"}
    assert client.get("/api/v1/order/", headers=bearer).status_code == 200
    reused = refresh(first["refresh_token"])  # a thief's copy, or the owner's old one
    assert reused.status_code == 401 and "already used" in reused.json["message"]
    assert refresh(second.json["refresh_token"]).status_code == 401  # the whole family ended
    assert client.get("/api/v1/order/", headers=bearer).status_code == 401
    # Another login of the same user is not affected.
    other = _api_login(client, "clerk").json
    assert client.get("/api/v1/order/", headers={
        "Authorization": f"Bearer {other['access_token']}"}).status_code == 200


def test_api_logout_ends_the_tokens(any_web_app):
    client = any_web_app.test_client()
    tokens = _api_login(client, "clerk", refresh=True).json
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.post("/api/v1/security/logout", headers=bearer).status_code == 200
    assert client.get("/api/v1/order/", headers=bearer).status_code == 401
    assert client.post("/api/v1/security/refresh", headers={
        "Authorization": f"Bearer {tokens['refresh_token']}"}).status_code == 401


def test_the_session_cookie_is_lax_httponly_and_secure_behind_https(tmp_path):
    app = make_app(tmp_path)
    client = app.test_client()
    client.post("/login/", data={"username": "clerk", "password": DEMO_PASSWORD})
    cookie = client.get_cookie("session")
    assert cookie.same_site == "Lax" and cookie.http_only and not cookie.secure
    probe = "import config; print(config.Config.SESSION_COOKIE_SECURE)"
    for env, expected in (({"PUBLIC_BASE_URL": "https://oms.example.vn"}, "True"),
                          ({"PUBLIC_BASE_URL": "http://127.0.0.1:5000"}, "False"),
                          ({"PUBLIC_BASE_URL": "https://oms.example.vn",
                            "SESSION_COOKIE_SECURE": "false"}, "False")):
        out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                             text=True, env={**os.environ, "ORDERHUB_INSTANCE": str(tmp_path),
                                             **env})
        assert out.stdout.strip() == expected, (env, out.stderr)
    (tmp_path / "https").mkdir()
    secure = make_app(tmp_path / "https", SESSION_COOKIE_SECURE=True).test_client()
    answer = secure.post("/login/", data={"username": "clerk", "password": DEMO_PASSWORD})
    assert "; Secure" in answer.headers["Set-Cookie"]
