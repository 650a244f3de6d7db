"""Signing in: rate limits, the password rule in the forms and the API, browser sessions kept on
the server.

Rate limits (Flask-Limiter, on Redis when ``REDIS_URL`` is set so every web process counts
together, in memory otherwise). Flask-AppBuilder's ``AUTH_RATE_LIMITED`` limits only its sign-in
page, per client IP, counting every attempt; the same per-IP limit is put on the API login, and a
per-user-name limit counts failed attempts on both: after ``LOGIN_FAILURES_PER_USER`` failures
the account takes no sign-in at all, not even with the right password, until the window frees up.
A refused attempt gets "try again in N s" in the reader's language: a message on the sign-in page,
or a 429 JSON body with ``Retry-After`` from the API.
"""
from __future__ import annotations

import math
import time

from flask import (current_app, flash, g, has_request_context, jsonify, redirect, request,
                   session as cookie, url_for)
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.security.api import SecurityApi
from flask_babel import gettext
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import user_logged_in

from app.security import sessions
from app.security.passwords import PasswordRejected, check_password
from app.web.i18n import error_text

SESSION_KEY = "_session_token"  # in the signed session cookie: the AuthSession it belongs to
LOGIN_ENDPOINTS = ("AuthDBView.login", "OrderHubSecurityApi.login")


def configure(app) -> None:
    """Settings Flask-AppBuilder and Flask-Limiter read when they start (call before them)."""
    config = app.config
    config.setdefault("RATELIMIT_STORAGE_URI", config.get("REDIS_URL") or "memory://")
    config.setdefault("RATELIMIT_KEY_PREFIX", f"{config.get('RQ_QUEUE_PREFIX', 'orderhub')}:limits")
    config["FAB_PASSWORD_COMPLEXITY_ENABLED"] = True
    config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = password_complexity
    user_logged_in.connect(_open_browser_session, weak=False)  # once: the same function each time


def install(sm) -> None:
    """After Flask-AppBuilder registered its views: the API login's limits, the per-user limit,
    and the answer to a refused attempt."""
    app = current_app._get_current_object()
    app.register_error_handler(RateLimitExceeded, _too_many_attempts)
    if not sm.is_auth_limited:
        return
    api = next(v for v in sm.appbuilder.baseviews if isinstance(v, SecurityApi))
    limiter = sm.limiter
    limiter.limit(sm.auth_rate_limit, key_func=get_remote_address, methods=["POST"],
                  exempt_when=_not_a_login)(api.blueprint)
    per_user = limiter.shared_limit(app.config["LOGIN_FAILURES_PER_USER"], scope="login-user",
                                    key_func=_username_tried, methods=["POST"],
                                    exempt_when=_not_a_login, deduct_when=_login_failed)
    per_user(sm.auth_view.blueprint)
    per_user(api.blueprint)


def _not_a_login() -> bool:
    return request.endpoint not in LOGIN_ENDPOINTS


def _username_tried() -> str:
    data = request.get_json(silent=True) if request.is_json else request.form
    name = data.get("username") if hasattr(data, "get") else None
    return name.strip().casefold()[:200] or "-" if isinstance(name, str) else "-"


def _login_failed(_response) -> bool:
    return bool(g.get("login_failed"))


def mark_login_failed() -> None:
    """Called by the security manager when a user name and password did not match."""
    if has_request_context():
        g.login_failed = True


def _too_many_attempts(exc: RateLimitExceeded):
    if request.endpoint not in LOGIN_ENDPOINTS:
        return exc.get_response()
    reset_at, window = None, 60
    limit = current_app.appbuilder.sm.limiter.current_limit
    if limit is not None:
        reset_at = limit.reset_at
        window = limit.limit.get_expiry()
    # Flask-Limiter rounds the reset up a whole second past the window: never say more than the
    # window itself ("5 per 5 minutes" → at most 300 s).
    seconds = min(window, max(1, math.ceil((reset_at or time.time() + window) - time.time())))
    message = gettext("Too many sign-in attempts. Try again in %(seconds)s s.", seconds=seconds)
    if request.endpoint == "AuthDBView.login":
        flash(message, "danger")
        answer = redirect(url_for("AuthDBView.login", next=request.args.get("next")))
    else:
        answer = jsonify(message=message)
        answer.status_code = 429
    answer.headers["Retry-After"] = str(seconds)
    return answer


# --- the password rule in Flask-AppBuilder's forms and the users API --------------------------------

def password_complexity(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: FAB calls it with the password only; the user name is
    the one being created (form or JSON) or the one whose password is being reset."""
    try:
        check_password(password, _username_of_request())
    except PasswordRejected as exc:
        raise PasswordComplexityValidationError(error_text(exc)) from None


def _username_of_request() -> str | None:
    if not has_request_context():
        return None
    data = request.get_json(silent=True) if request.is_json else request.form
    name = data.get("username") if hasattr(data, "get") else None
    if isinstance(name, str) and name.strip():
        return name
    sm = current_app.appbuilder.sm
    if (request.endpoint or "").startswith(sm.resetmypasswordview.__name__ + "."):
        return g.user.username if getattr(g, "user", None) is not None else None
    pk = (request.view_args or {}).get("pk") or request.args.get("pk")
    if pk is not None and str(pk).isdigit():
        user = sm.get_user_by_id(int(pk))
        return user.username if user is not None else None
    return None


# --- browser sessions ------------------------------------------------------------------------------

def _open_browser_session(sender, user, **_):
    from app.extensions import db
    opened = sessions.open_session(db.session, user.id, "web", request.remote_addr)
    db.session.commit()
    cookie[SESSION_KEY] = opened.token


def browser_session_is_live(db_session, user_id: int) -> bool:
    return sessions.active(db_session, cookie.get(SESSION_KEY), user_id) is not None


def end_browser_session(db_session) -> None:
    sessions.revoke(db_session, cookie.pop(SESSION_KEY, None), sessions.LOGGED_OUT)
    db_session.commit()


def renew_browser_session(db_session, user_id: int) -> None:
    """After the signed-in user changed their own password: every session of theirs ended, this
    browser carries on in a new one."""
    if has_request_context() and getattr(g, "user", None) is not None and g.user.id == user_id \
            and request.endpoint and not request.path.startswith("/api/"):
        opened = sessions.open_session(db_session, user_id, "web", request.remote_addr)
        cookie[SESSION_KEY] = opened.token
