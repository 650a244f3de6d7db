"""Run one OrderHub job in this process, exactly as an RQ worker would (``jobs.runner.run``), so a test
can kill a real worker process in the middle of it.

    python -m tests.support.run_job DATABASE_URL JOB_ID

``CREDENTIALS_KEY`` must be the key the test's app encrypted the provider credentials with.
"""
from __future__ import annotations

import sys


def main(database_url: str, job_id: int) -> None:
    from app import create_app
    from config import TestConfig
    from jobs import runner
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=None, EMBEDDED_WORKER=False,
                     FAB_UPDATE_PERMS=False, FAB_CREATE_DB=False, SANDBOX_ENABLED=False)
    runner.bind_app(app)
    runner.run(job_id)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
