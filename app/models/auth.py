"""Signed-in sessions kept on the server, so that signing out, a password change or a stolen
refresh token can end them.

A browser's session cookie and an API login each name an ``AuthSession`` row by its random token;
a request is signed in only while that row is not revoked. An API login's refresh tokens form one
family under its session: each refresh token is used once (rotation), and a second use of one
revokes the whole session (reuse detection: someone else holds a copy).
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import TimestampMixin


class AuthSession(TimestampMixin, Model):
    __tablename__ = "auth_session"
    token: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    kind: Mapped[str] = mapped_column(sa.String(8), nullable=False)  # web, api
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    # logout, password_changed, refresh_token_reused
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(40))
    __table_args__ = (sa.CheckConstraint("kind IN ('web', 'api')", name="ck_auth_session_kind"),)


class RefreshToken(TimestampMixin, Model):
    __tablename__ = "auth_refresh_token"
    jti: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("auth_session.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
