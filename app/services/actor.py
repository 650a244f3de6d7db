"""Who is acting right now (a signed-in user, a job on a user's behalf, or the system).

Jobs set it per run (``acting_as``). In a web request the web layer installs a resolver that names
the signed-in user — by session cookie or by JWT, which Flask-AppBuilder only resolves inside the
endpoint, so the actor is looked up when asked for, not at the start of the request. Read by the audit
trail, the stock ledger and every "approved by / posted by / started by" field.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str


SYSTEM = Actor(None, "system")
_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("orderhub_actor",
                                                                         default=None)
_resolver: Callable[[], Actor | None] | None = None


def current_actor() -> Actor:
    """The explicitly set actor (a job), else whoever the resolver names (a request), else system."""
    actor = _current.get()
    if actor is not None:
        return actor
    if _resolver is not None:
        resolved = _resolver()
        if resolved is not None:
            return resolved
    return SYSTEM


def set_resolver(resolver: Callable[[], Actor | None] | None) -> None:
    """Install how to name the user of the current request (the web layer does, once)."""
    global _resolver
    _resolver = resolver


def set_actor(actor: Actor) -> contextvars.Token:
    return _current.set(actor)


@contextmanager
def acting_as(user_id: int | None, username: str | None):
    token = _current.set(Actor(user_id, username or "system"))
    try:
        yield
    finally:
        _current.reset(token)
