"""Who is acting right now (a signed-in user, a job on a user's behalf, or the system).

Set by the web layer per request and by jobs per run; read by the audit trail and the stock ledger.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str


SYSTEM = Actor(None, "system")
_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("orderhub_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


def set_actor(actor: Actor) -> contextvars.Token:
    return _current.set(actor)


@contextmanager
def acting_as(user_id: int | None, username: str | None):
    token = _current.set(Actor(user_id, username or "system"))
    try:
        yield
    finally:
        _current.reset(token)
