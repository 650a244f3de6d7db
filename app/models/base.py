"""Column types and mixins every OrderHub table uses."""
from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.security.crypto import decrypt_json, encrypt_json

Money = sa.Numeric(18, 0)


@dataclass(frozen=True)
class Phrase:
    """A text in English with the message it was made from: an ``N_`` template and its values,
    for the web layer to say it in the reader's language (a job's title, a line's stock state).
    Job rows written before templates were kept have only the text."""

    text: str
    template: str | None = None
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text or ""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _alias_values(enum_cls: type[enum.Enum]) -> None:
    """Make each member reachable by its value as a name too (``OrderStatus["new"]``).

    The database stores values; Flask-AppBuilder's forms and filters look members up by the stored
    string, so the value must also work as a member name.
    """
    for member in list(enum_cls):
        enum_cls._member_map_.setdefault(str(member.value), member)


def enum_column(enum_cls: type[enum.Enum], name: str, **kw):
    """A string column restricted to an enum's values by a CHECK constraint (portable, no native type)."""
    _alias_values(enum_cls)
    return sa.Enum(enum_cls, native_enum=False, create_constraint=True, length=32,
                   values_callable=lambda e: [m.value for m in e], name=name, validate_strings=True,
                   **kw)


class TimestampMixin:
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow,
                                                    nullable=False)


class VersionedMixin:
    """Optimistic locking: SQLAlchemy adds ``AND version = :old`` to every UPDATE and bumps it.

    Forms and API calls also carry the version the user opened; a mismatch is refused before any
    write with "changed by someone else since you opened it" (services.editing.check_version).
    """

    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


class EncryptedJSON(sa.types.TypeDecorator):
    """A JSON value encrypted at rest with the credentials key (Fernet)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return encrypt_json(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return decrypt_json(value)


class StrEnum(str, enum.Enum):
    def __str__(self) -> str:
        return self.value


__all__ = ["Model", "Money", "Phrase", "TimestampMixin", "VersionedMixin", "EncryptedJSON", "enum_column",
           "utcnow", "StrEnum", "json"]
