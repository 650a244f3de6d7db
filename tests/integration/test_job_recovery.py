"""Jobs whose run the queue lost — a killed worker, a restarted machine, a Redis that keeps nothing
on disk — are found by the sweep: queued again while attempts remain (every job is safe to run
twice), otherwise failed with a message and offered for retry. Nothing stays "started" for ever."""
import os
import subprocess
import sys

import pytest

from app.extensions import db
from app.models import Job, JobStatus
from app.services.jobs import MAX_ATTEMPTS, retry_job, start_job
from jobs.system import recover_lost_jobs
from tests.conftest import DEMO_PASSWORD, REDIS_URL, make_app
from tests.integration.test_jobs import ROOT, _assert_done, _orders_with_wrong_totals, _wait_for


def _lost_run(app, ids, status: JobStatus, attempts: int) -> int:
    """A Job row as a killed worker leaves it: marked queued/started, unknown to the queue."""
    with app.app_context():
        job = start_job(db.session, "orders.recalculate_totals", "Recalculate totals",
                        target_type="order", target_ids=ids, queue="bulk")  # never enqueued
        job.status, job.attempts = status, attempts
        db.session.commit()
        return job.id


def test_a_run_lost_mid_way_is_started_again_and_finishes(web_app):
    ids = _orders_with_wrong_totals(web_app, n=5)
    job_id = _lost_run(web_app, ids, JobStatus.STARTED, attempts=1)
    assert recover_lost_jobs(web_app, older_than_seconds=0) == {"requeued": 1, "failed": 0}
    job = _wait_for(web_app, job_id)
    _assert_done(web_app, job, ids)
    assert job.attempts == 2


def test_a_run_lost_too_often_fails_with_a_message_and_can_be_retried(web_app):
    ids = _orders_with_wrong_totals(web_app, n=3)
    job_id = _lost_run(web_app, ids, JobStatus.STARTED, attempts=MAX_ATTEMPTS)
    assert recover_lost_jobs(web_app, older_than_seconds=0) == {"requeued": 0, "failed": 1}
    with web_app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.FAILED and "worker running this job stopped" in job.error
        again = retry_job(db.session, job)
        assert again.retry_of_id == job_id


def test_a_recent_or_living_run_is_left_alone(web_app):
    ids = _orders_with_wrong_totals(web_app, n=2)
    _lost_run(web_app, ids, JobStatus.STARTED, attempts=1)
    # Younger than the grace period: it may be a run that is just starting.
    assert recover_lost_jobs(web_app) == {"requeued": 0, "failed": 0}


@pytest.mark.redis
def test_jobs_lost_with_a_redis_restart_are_run_by_a_worker_process(tmp_path):
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set (.ci/run sets it)")
    prefix = f"orderhub-recover-{os.getpid()}"
    app = make_app(tmp_path, REDIS_URL=REDIS_URL, RQ_QUEUE_PREFIX=prefix)
    from jobs.queue import enqueue_after_commit, runtime
    conn = runtime(app).connection
    try:
        ids = _orders_with_wrong_totals(app, n=4)
        with app.app_context():
            job = start_job(db.session, "orders.recalculate_totals", "Recalculate totals",
                            target_type="order", target_ids=ids, queue="bulk",
                            enqueue=enqueue_after_commit)
            db.session.commit()
            job_id = job.id
        for key in conn.scan_iter(f"*{prefix}*"):  # Redis restarted: it kept nothing
            conn.delete(key)
        assert runtime(app).rq_status(job_id) is None
        assert recover_lost_jobs(app, older_than_seconds=0)["requeued"] == 1
        env = dict(os.environ, REDIS_URL=REDIS_URL, RQ_QUEUE_PREFIX=prefix,
                   DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                   ORDERHUB_INSTANCE=str(tmp_path), SANDBOX_ENABLED="false",
                   FAB_UPDATE_PERMS="false", DEMO_PASSWORD=DEMO_PASSWORD)
        worker = subprocess.Popen([sys.executable, "run.py", "worker"], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            _assert_done(app, _wait_for(app, job_id, timeout=90), ids)
        finally:
            worker.terminate()
            worker.communicate(timeout=20)
    finally:
        for key in conn.scan_iter(f"*{prefix}*"):
            conn.delete(key)


def test_a_failed_job_is_retried_through_the_api_by_a_supervisor(web_app):
    from tests.conftest import api_token
    ids = _orders_with_wrong_totals(web_app, n=2)
    job_id = _lost_run(web_app, ids, JobStatus.STARTED, attempts=MAX_ATTEMPTS)
    recover_lost_jobs(web_app, older_than_seconds=0)  # → failed
    client = web_app.test_client()
    assert client.post(f"/api/v1/job/{job_id}/retry", json={},
                       headers=api_token(client, "clerk")).status_code == 403
    sup = api_token(client, "supervisor")
    resp = client.post(f"/api/v1/job/{job_id}/retry", json={}, headers=sup)
    assert resp.status_code == 202, resp.json
    again = _wait_for(web_app, resp.json["job_id"])
    _assert_done(web_app, again, ids)
    status = client.get(f"/api/v1/job/{again.id}", headers=sup)
    assert status.json["result"]["status"] == "finished"
    assert status.json["result"]["progress_done"] == status.json["result"]["progress_total"] == 2
    refused = client.post(f"/api/v1/job/{again.id}/retry", json={}, headers=sup)
    assert refused.status_code == 409 and "finished" in refused.json["message"]
