"""The rules every write must pass, whatever code path makes it: document numbers, computed order
totals, the append-only ledger, immutable issued invoices, the audit trail, the last admin and
built-in roles, COD statement totals, and the note of which variants' available stock changed.

They are installed explicitly on a session factory (``install(factory)``): ``create_app`` installs
them on the app's session (``app.bootstrap``), a script or a test on the sessionmaker it builds.
Nothing is installed on SQLAlchemy's ``Session`` class and nothing by being imported.
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from app.models import StockLevel
from app.services import admin_lockout, after_commit, audit, cod, hooks, stock_changes


def note_stock_levels(session: Session, flush_context) -> None:
    """StockLevel rows changed through the ORM (not the ledger's usual path) count as a change of
    available stock too (``stock_changes``)."""
    stock_changes.note(session, {obj.variant_id for obj in list(session.new) + list(session.dirty)
                                 if isinstance(obj, StockLevel)})


RULES = (
    ("before_flush", hooks.before_flush),
    ("after_flush", audit.record_changes),
    ("before_flush", admin_lockout.before_flush),
    ("after_flush", admin_lockout.after_flush),
    ("before_flush", cod.guard_and_total),
    ("after_flush", note_stock_levels),
)


def install(target) -> None:
    """Register the rules on ``target`` (a sessionmaker, a scoped_session or one Session); a second
    call on the same target adds nothing (every app built in a process shares ``db.session``)."""
    for name, listener in RULES:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def session_factory(bind=None, *, effects: bool = True, **options) -> sessionmaker:
    """A sessionmaker for a script, a bench or a test, outside the app: its sessions keep the
    rules, and (``effects``) after each commit run what the work recorded
    (``after_commit.install_without_app``: mails written at once, no queue for jobs). A unit of
    work that runs the record itself takes ``effects=False``."""
    factory = sessionmaker(bind=bind, **options)
    # Listened to directly, never through ``event.contains``: SQLAlchemy's registry is keyed by
    # id(), and a new factory may reuse the id of one already collected.
    for name, listener in RULES:
        event.listen(factory, name, listener)
    if effects:
        after_commit.install_without_app(factory)
    return factory
