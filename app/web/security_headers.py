"""The security headers every response carries, set in one place.

Scripts run only from our own files (``script-src 'self'``, no inline script, no nonce): page scripts
live in ``app/static/js/`` and take their data from ``data-`` attributes or a
``<script type="application/json">`` block, so a name that slipped past escaping still cannot run.
Styles may be inline (``style="…"`` attributes are all over Flask-AppBuilder's pages and the
select/date widgets set them); a style cannot run script.

The sandboxes stand for the providers' own sites: their pages (a marketplace's authorization page)
send the seller back to whatever redirect address they were given, so they are not held to
``form-action 'self'``.
"""
from __future__ import annotations

from flask import request

_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
SANDBOX_PREFIX = "/sandbox/"


def content_security_policy(*, sandbox: bool = False) -> str:
    return "; ".join(f"{name} {value}" for name, value in _POLICY.items()
                     if not (sandbox and name == "form-action"))


POLICY = content_security_policy()
SANDBOX_POLICY = content_security_policy(sandbox=True)
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def add_security_headers(response):
    sandbox = request.path.startswith(SANDBOX_PREFIX)
    response.headers["Content-Security-Policy"] = SANDBOX_POLICY if sandbox else POLICY
    for name, value in HEADERS.items():
        response.headers[name] = value
    return response


def install(app) -> None:
    app.after_request(add_security_headers)
