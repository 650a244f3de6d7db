"""Start OrderHub.

    python run.py            the admin panel on 127.0.0.1:${PORT:-5000} (demo data on first start)
    python run.py worker     an RQ worker for every OrderHub queue (needs REDIS_URL)
    python run.py scheduler  the periodic-job scheduler (needs REDIS_URL)
"""
from __future__ import annotations

import os
import sys


def serve() -> None:
    from app import create_app
    from app.demo import load_demo

    from app.security.passwords import PasswordRejected
    app = create_app()
    with app.app_context():
        try:
            result = load_demo(app, password=app.config.get("DEMO_PASSWORD"))
        except PasswordRejected as exc:
            sys.exit(f"DEMO_PASSWORD is refused: {exc.message}")
    if result.get("password_generated"):
        print(f"Demo users admin / supervisor / clerk, password: {result['password']}")
    elif result.get("users_created"):
        print("Demo users admin / supervisor / clerk, password from DEMO_PASSWORD")
    from jobs.schedule import start_embedded_scheduler
    from jobs.system import recover_lost_jobs
    if not app.config.get("REDIS_URL"):  # the in-process queue starts empty: run what it lost
        recover_lost_jobs(app, older_than_seconds=0)
    start_embedded_scheduler(app)
    port = int(os.environ.get("PORT", "5000"))
    print(f"OrderHub on http://127.0.0.1:{port}/")
    app.run(host="127.0.0.1", port=port, threaded=True, use_reloader=False)


def worker() -> None:
    from rq import Worker

    from app import create_app
    from jobs.queue import runtime
    app = create_app(EMBEDDED_WORKER=False)
    rt = runtime(app)
    if rt.embedded:
        sys.exit("REDIS_URL is not set: the embedded queue runs inside `python run.py` itself.")
    # Each job runs in a forked child: it must not inherit the parent's pooled database
    # connections (two children on one PostgreSQL connection clash on prepared statements).
    from app.extensions import db
    with app.app_context():
        db.engine.dispose()
    # Due retries are moved onto their queues by whichever worker is alive (jobs/retry_scheduler.py),
    # not by RQ's own scheduler, which a killed worker blocks for minutes.
    from jobs.retry_scheduler import RetryScheduler
    queues = list(rt.queues.values())
    retries = RetryScheduler(queues, rt.connection)
    thread = retries.start()
    try:
        Worker(queues, connection=rt.connection).work(with_scheduler=False)
    finally:
        retries.stop()
        thread.join(timeout=10)


def scheduler() -> None:
    from app import create_app
    from jobs.schedule import run_scheduler_forever
    run_scheduler_forever(create_app(EMBEDDED_WORKER=False))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "serve"
    {"serve": serve, "worker": worker, "scheduler": scheduler}.get(command, serve)()
