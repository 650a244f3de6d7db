"""The signed-in user of a request, as the actor of what the request changes."""
from __future__ import annotations

from flask import g, has_request_context

from app.services.actor import Actor, set_resolver


def request_actor() -> Actor | None:
    if not has_request_context():
        return None
    known = g.get("_orderhub_actor")
    if known is not None:
        return known
    user = getattr(g, "user", None)  # set by Flask-AppBuilder for a JWT request
    if user is None or not getattr(user, "is_authenticated", False):
        from flask_login import current_user  # a browser session
        user = current_user if current_user and current_user.is_authenticated else None
    if user is None or getattr(user, "id", None) is None:
        return None
    g._orderhub_actor = Actor(user.id, user.username)  # asked for again at every flush
    return g._orderhub_actor


def install() -> None:
    set_resolver(request_actor)
