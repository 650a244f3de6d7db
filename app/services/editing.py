"""Optimistic locking for edits made through a form or the API.

A form carries the ``version`` the user opened; if the record has moved on since, the edit is refused
before anything is written, with a message the user can act on (reload and redo). SQLAlchemy's own
version counter (``VersionedMixin``) still catches the race between this check and the UPDATE.
"""
from __future__ import annotations

from app.services.errors import StaleVersion


def check_version(obj, submitted_version, record_name: str = "record") -> None:
    """Raise StaleVersion when ``submitted_version`` (from the form) is not the record's version.

    ``None`` means the caller has no version to compare (a job, a system action): nothing to check.
    """
    if submitted_version is None:
        return
    try:
        submitted = int(submitted_version)
    except (TypeError, ValueError):
        raise StaleVersion(record_name) from None
    if submitted != obj.version:
        raise StaleVersion(record_name)
