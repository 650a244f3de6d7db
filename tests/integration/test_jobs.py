"""The bulk 'recalculate totals' action runs as a Job through RQ: on the embedded queue, and with a
real Redis and a separate `python run.py worker` process. Progress reaches done/total."""
import os
import subprocess
import sys
import time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Job, JobStatus, Order, OrderLine
from tests.conftest import DEMO_PASSWORD, REDIS_URL, login, make_app
from tests.support.marketplaces import wait_for_job

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _orders_with_wrong_totals(app, n=30):
    with app.app_context():
        for i in range(n):
            order = Order(buyer_name=f"Khách {i}")
            order.lines.append(OrderLine(sku=f"SKU-{i}", name="Hàng", quantity=2,
                                         unit_price=50000, vat_rate="10"))
            db.session.add(order)
        db.session.commit()
        # Corrupt the stored totals behind the application's back (as an old import might have).
        db.session.execute(sa.text("UPDATE sales_order SET total = 1"))
        db.session.commit()
        return [o.id for o in db.session.scalars(sa.select(Order))]


def _wait_for(app, job_id, timeout=60):
    return wait_for_job(app, job_id, timeout=timeout)


def _run_bulk_action(app, ids):
    client = app.test_client()
    login(client, "supervisor")
    resp = client.post("/orderview/action_post",
                       data={"action": "bulk_recalculate_totals", "rowid": ids})
    assert resp.status_code == 302
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def _assert_done(app, job, ids):
    assert job.status == JobStatus.FINISHED, job.error
    assert (job.progress_done, job.progress_total) == (len(ids), len(ids))
    assert job.result == {"checked": len(ids), "corrected": len(ids)}
    with app.app_context():
        totals = set(db.session.scalars(sa.select(Order.total)))
    assert totals == {Decimal(110000)}


def test_bulk_job_on_the_embedded_queue(web_app):
    ids = _orders_with_wrong_totals(web_app)
    job_id = _run_bulk_action(web_app, ids)
    _assert_done(web_app, _wait_for(web_app, job_id), ids)


def test_job_is_not_enqueued_when_the_transaction_rolls_back(web_app):
    from app.services.jobs import start_job
    from jobs.queue import enqueue_after_commit, runtime
    with web_app.app_context():
        start_job(db.session, "orders.recalculate_totals", "never", target_ids=[1],
                  enqueue=enqueue_after_commit)
        db.session.rollback()
        db.session.commit()  # a later commit must not enqueue the rolled-back job
        assert sum(q.count for q in runtime(web_app).queues.values()) == 0


@pytest.mark.redis
def test_bulk_job_on_redis_with_a_separate_worker_process(tmp_path):
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set (.ci/run sets it)")
    prefix = f"orderhub-test-{os.getpid()}"
    app = make_app(tmp_path, REDIS_URL=REDIS_URL, RQ_QUEUE_PREFIX=prefix)
    ids = _orders_with_wrong_totals(app)
    env = dict(os.environ, REDIS_URL=REDIS_URL, RQ_QUEUE_PREFIX=prefix,
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               ORDERHUB_INSTANCE=str(tmp_path), SANDBOX_ENABLED="false",
               FAB_UPDATE_PERMS="false", DEMO_PASSWORD=DEMO_PASSWORD)
    worker = subprocess.Popen([sys.executable, "run.py", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        job_id = _run_bulk_action(app, ids)
        job = _wait_for(app, job_id, timeout=90)
        _assert_done(app, job, ids)
        assert job.attempts == 1
    finally:
        worker.terminate()
        out, _ = worker.communicate(timeout=20)
        from jobs.queue import runtime
        conn = runtime(app).connection
        for key in conn.scan_iter(f"{prefix}*"):
            conn.delete(key)
        print(out.decode(errors="replace")[-2000:])


def test_progress_is_committed_as_the_job_goes_not_only_at_the_end(web_app):
    """A person watching the job sees done/total move: every batch's progress is committed."""
    ids = _orders_with_wrong_totals(web_app, n=120)
    seen = []
    with web_app.app_context():
        engine = db.engine

    def watch(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE JOB") and "progress_done" in statement:
            seen.append(parameters)

    sa.event.listen(engine, "after_cursor_execute", watch)
    try:
        job_id = _run_bulk_action(web_app, ids)
        _assert_done(web_app, _wait_for(web_app, job_id), ids)
    finally:
        sa.event.remove(engine, "after_cursor_execute", watch)
    values = [v for params in seen for v in (params if isinstance(params, (list, tuple)) else
                                             params.values()) if v in (0, 50, 100, 120)]
    assert {50, 100}.issubset(values), seen


def test_the_job_page_shows_progress_and_the_records_worked_on(web_app):
    ids = _orders_with_wrong_totals(web_app, n=3)
    job_id = _run_bulk_action(web_app, ids)
    _wait_for(web_app, job_id)
    client = web_app.test_client()
    login(client, "supervisor")
    progress = client.get(f"/jobview/progress/{job_id}").get_json()
    assert progress == {"status": "finished", "state": "finished", "done": 3, "total": 3,
                        "running": False}
    page = client.get(f"/jobview/show/{job_id}").get_data(as_text=True)
    assert 'class="oh-job" data-status="finished" data-done="3"' in page
    assert "width: 100%" in page
    with web_app.app_context():
        numbers = list(db.session.scalars(sa.select(Order.number).where(Order.id.in_(ids))))
    assert all(f">{n}</a>" in page for n in numbers)  # each order worked on, linked
    assert "checked: 3 · corrected: 3" in page
    assert client.get("/jobview/progress/999999").status_code == 404


def test_two_apps_in_one_process_each_run_their_own_jobs(tmp_path):
    """Job ids start at 1 in every database: an embedded worker must run its own app's job 1,
    not the job 1 of whichever app the process created last."""
    from app.services.jobs import start_job
    from jobs.queue import enqueue_after_commit
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    first = make_app(tmp_path / "first")
    with first.app_context():
        [mine] = [start_job(db.session, "system.prune_integration_log", "Prune (first app)")]
        db.session.commit()
        assert mine.id == 1
    second = make_app(tmp_path / "second")  # now the process's most recent app
    with second.app_context():
        theirs = start_job(db.session, "system.prune_integration_log", "Prune (second app)")
        db.session.commit()
        assert theirs.id == 1
    with first.app_context():
        job = db.session.get(Job, 1)
        enqueue_after_commit(db.session, job, "default")
        db.session.commit()
    done = _wait_for(first, 1, timeout=30)
    assert done.status == JobStatus.FINISHED and done.title == "Prune (first app)"
    with second.app_context():
        assert db.session.get(Job, 1).status == JobStatus.QUEUED  # untouched
