"""Background runs a user or the system started, as the user sees them."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, Phrase, StrEnum, TimestampMixin, enum_column


class JobStatus(StrEnum):
    QUEUED = "queued"
    STARTED = "started"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Job(TimestampMixin, Model):
    __tablename__ = "job"
    rq_job_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(60), nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(255), nullable=False)  # English, filled
    # The title's and the error's N_ templates and values (app.services.jobs), for other languages
    title_template: Mapped[str | None] = mapped_column(sa.String(255))
    title_params: Mapped[dict | None] = mapped_column(sa.JSON)
    queue: Mapped[str] = mapped_column(sa.String(30), nullable=False, default="default")
    target_type: Mapped[str | None] = mapped_column(sa.String(40))
    target_ids: Mapped[list | None] = mapped_column(sa.JSON)
    params: Mapped[dict | None] = mapped_column(sa.JSON)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, "ck_job_status"), nullable=False,
                                              default=JobStatus.QUEUED, index=True)
    progress_done: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    progress_total: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    messages: Mapped[list | None] = mapped_column(sa.JSON)  # [{"at": iso, "level": .., "text": ..}]
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    error_template: Mapped[str | None] = mapped_column(sa.Text)
    error_params: Mapped[dict | None] = mapped_column(sa.JSON)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="SET NULL"))
    channel_id: Mapped[int | None] = mapped_column(sa.ForeignKey("channel.id", ondelete="SET NULL"),
                                                   index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    retry_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("job.id", ondelete="SET NULL"))

    user = relationship("User")
    channel = relationship("Channel")
    __table_args__ = (
        sa.CheckConstraint("progress_done >= 0 AND progress_total >= 0", name="ck_job_progress_nonneg"),
        sa.Index("ix_job_target", "target_type", "created_at"),
    )

    @property
    def title_phrase(self) -> Phrase:
        return Phrase(self.title, self.title_template, self.title_params or {})

    @property
    def error_phrase(self) -> Phrase | None:
        if not self.error:
            return None
        return Phrase(self.error, self.error_template, self.error_params or {})

    @property
    def state(self) -> str:
        """The status as a person reads it: a job queued again after a failed try is waiting to
        try again, not freshly queued (its progress so far stays)."""
        if self.status == JobStatus.QUEUED and (self.attempts or 0) > 0:
            return "waiting to try again"
        return self.status.value

    @property
    def progress(self) -> str:
        if not self.progress_total:
            return "—"
        return f"{self.progress_done}/{self.progress_total}"

    def __str__(self) -> str:
        return f"#{self.id} {self.title}"


class JobTarget(Model):
    """Which records a job works on, one row each, so a record's page can list its jobs."""

    __tablename__ = "job_target"
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("job.id", ondelete="CASCADE"), primary_key=True)
    target_type: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    target_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    __table_args__ = (sa.Index("ix_job_target_record", "target_type", "target_id"),)
