"""Server-side sessions: a signed-in browser or API login is valid while its AuthSession row is.

Signing out revokes the browser's session; a password change revokes every session of the user
(browsers and API logins, with their refresh tokens); a refresh token used twice revokes its whole
session. Plain functions over a SQLAlchemy session; the caller commits.
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import AuthSession, RefreshToken
from app.models.base import utcnow

LOGGED_OUT = "logout"
PASSWORD_CHANGED = "password_changed"
REFRESH_REUSED = "refresh_token_reused"


def open_session(session: Session, user_id: int, kind: str, ip: str | None = None) -> AuthSession:
    row = AuthSession(token=secrets.token_urlsafe(32), user_id=user_id, kind=kind,
                      ip=(ip or "")[:64] or None)
    session.add(row)
    session.flush()
    return row


def active(session: Session, token: str | None, user_id: int | None = None) -> AuthSession | None:
    """The live session ``token`` names (of ``user_id`` when given), or None."""
    if not token or not isinstance(token, str):
        return None
    stmt = sa.select(AuthSession).where(AuthSession.token == token, AuthSession.revoked_at.is_(None))
    if user_id is not None:
        stmt = stmt.where(AuthSession.user_id == user_id)
    return session.scalar(stmt)


def revoke(session: Session, token: str | None, reason: str) -> None:
    if token:
        session.execute(sa.update(AuthSession)
                        .where(AuthSession.token == token, AuthSession.revoked_at.is_(None))
                        .values(revoked_at=utcnow(), revoked_reason=reason, updated_at=utcnow()))


def revoke_all(session: Session, user_id: int, reason: str) -> int:
    """End every session of the user; returns how many were live."""
    return session.execute(sa.update(AuthSession)
                           .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
                           .values(revoked_at=utcnow(), revoked_reason=reason,
                                   updated_at=utcnow())).rowcount


def record_refresh_token(session: Session, auth_session: AuthSession, jti: str) -> None:
    session.add(RefreshToken(jti=jti, session_id=auth_session.id))
    session.flush()


def use_refresh_token(session: Session, jti: str) -> AuthSession | None:
    """Spend refresh token ``jti``: its live session, or None when the token is unknown, its session
    is over, or it was spent already — then someone else holds a copy, and the whole session
    (every token of that login) is revoked. The spending is one conditional UPDATE, so two
    concurrent uses cannot both succeed."""
    row = session.scalar(sa.select(RefreshToken).where(RefreshToken.jti == jti))
    if row is None:
        return None
    spent = session.execute(sa.update(RefreshToken)
                            .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None))
                            .values(used_at=utcnow(), updated_at=utcnow())).rowcount
    owner = session.get(AuthSession, row.session_id)
    if not spent:
        if owner is not None and owner.revoked_at is None:
            revoke(session, owner.token, REFRESH_REUSED)
        return None
    return owner if owner is not None and owner.revoked_at is None else None
