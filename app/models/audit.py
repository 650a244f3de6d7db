"""Who changed what and when (AuditLog), and every exchange with an external system (IntegrationLog)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Model, utcnow


class AuditLog(Model):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False,
                                                    index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    table_name: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    record_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    record_label: Mapped[str | None] = mapped_column(sa.String(255))
    action: Mapped[str] = mapped_column(sa.String(10), nullable=False)  # create, update, delete
    changes: Mapped[dict | None] = mapped_column(sa.JSON)  # {"field": [old, new]}
    user_id: Mapped[int | None] = mapped_column(sa.Integer)  # no FK: the trail outlives users
    username: Mapped[str | None] = mapped_column(sa.String(120))
    # The document a part belongs to (an order for its lines, shipments, invoices and returns), so
    # the document's page shows the changes to its parts as well — deleted ones included.
    parent_table: Mapped[str | None] = mapped_column(sa.String(40))
    parent_id: Mapped[int | None] = mapped_column(sa.Integer)
    __table_args__ = (
        sa.Index("ix_audit_log_record", "table_name", "record_id"),
        sa.Index("ix_audit_log_parent", "parent_table", "parent_id"),
        sa.CheckConstraint("action IN ('create', 'update', 'delete')", name="ck_audit_action"),
    )

    def __str__(self) -> str:
        return f"{self.action} {self.table_name}#{self.record_id}"


class IntegrationLog(Model):
    __tablename__ = "integration_log"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False,
                                                    index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    direction: Mapped[str] = mapped_column(sa.String(3), nullable=False)  # out, in
    system: Mapped[str] = mapped_column(sa.String(20), nullable=False, index=True)
    method: Mapped[str | None] = mapped_column(sa.String(8))
    endpoint: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    status: Mapped[int | None] = mapped_column(sa.Integer)
    ok: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    duration_ms: Mapped[int | None] = mapped_column(sa.Integer)
    request_body: Mapped[str | None] = mapped_column(sa.Text)   # secrets redacted
    response_body: Mapped[str | None] = mapped_column(sa.Text)  # secrets redacted
    error: Mapped[str | None] = mapped_column(sa.String(1000))
    job_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    channel_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    __table_args__ = (sa.CheckConstraint("direction IN ('out', 'in')", name="ck_integration_direction"),)

    def __str__(self) -> str:
        return f"{self.system} {self.endpoint}"


class DocumentSequence(Model):
    """Next number per document prefix (SO, PO, GR, RT, SC, COD); taken under a row lock."""

    __tablename__ = "document_sequence"
    prefix: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    next_value: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    __table_args__ = (sa.CheckConstraint("next_value >= 1", name="ck_document_sequence_pos"),)
