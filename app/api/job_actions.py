"""Jobs on the REST API: ``POST /api/v1/job/<id>/retry`` starts a failed job again (SPEC §8);
``GET /api/v1/job/<id>`` (the generated resource) gives its status and progress."""
from __future__ import annotations

from flask_appbuilder.api import expose, protect, safe

from app.api.actions import accepted, out_of_scope, run_action
from app.extensions import db
from app.models import Job


def _retry(pk: int) -> Job:
    from app.services.jobs import retry_job
    from jobs.queue import enqueue_after_commit
    again = retry_job(db.session, db.session.get(Job, pk), enqueue=enqueue_after_commit)
    db.session.commit()
    return again


class JobRetryActions:
    """Mixed into the ``job`` ModelRestApi; permitted as ``can_retry`` (supervisors)."""

    @expose("/<int:pk>/retry", methods=["POST"])
    @protect()
    @safe
    def retry(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        job, error = run_action(self, _retry, pk)
        return error or accepted(self, job)


MIXINS = {"job": [(JobRetryActions, {"retry": "retry"})]}
