"""Helpers for the REST action endpoints (SPEC §8): POST /api/v1/<resource>/<id>/<action>.

One place maps a domain error to its answer: a refused action 409 (or the error's own status, e.g.
422 for bad input), ``{"message": …}``; an asynchronous action answers 202 with ``{"job_id": …}``.
"""
from __future__ import annotations

from flask import request

from app.extensions import db
from app.services.errors import DomainError
from app.web.i18n import error_text, field_errors


def error_body(exc: DomainError) -> dict:
    """``{"message": …}``, plus ``{"errors": {field: [message]}}`` when the error names fields."""
    body = {"message": error_text(exc)}
    errors = field_errors(exc)
    if errors:
        body["errors"] = errors
    return body


def json_body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def run_action(api, fn, *args, **kwargs):
    """Call one service; return (result, None) or (None, error response)."""
    try:
        return fn(*args, **kwargs), None
    except DomainError as exc:
        db.session.rollback()
        return None, api.response(exc.http_status, **error_body(exc))


def accepted(api, job):
    return api.response(202, job_id=job.id, status=job.status.value, title=job.title)


def start_api_job(kind: str, title: str, target_type: str, ids: list[int], queue: str = "default",
                  params: dict | None = None, channel_id: int | None = None, **title_values):
    from app.services.jobs import start_job
    from jobs.queue import enqueue_after_commit
    job = start_job(db.session, kind, title, target_type=target_type, target_ids=ids, params=params,
                    queue=queue, channel_id=channel_id, enqueue=enqueue_after_commit,
                    title_params=title_values)
    db.session.commit()
    return job


def out_of_scope(api, pk):
    """A 404 answer when record ``pk`` is not one the user may see (row rules), else None."""
    if api.datamodel.get(pk, api._base_filters) is None:
        return api.response_404()
    return None
