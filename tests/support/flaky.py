"""A job for worker-process tests: its first run fails (RQ then schedules the retry), the next
succeeds. Each run appends the time it started to ``path``, so a test sees when the retry ran."""
from __future__ import annotations

import time
from pathlib import Path


def fail_once(path: str) -> str:
    runs = Path(path)
    before = runs.read_text().count("\n") if runs.exists() else 0
    with runs.open("a") as out:
        out.write(f"{time.time()}\n")
    if before == 0:
        raise RuntimeError("the first run fails, as a provider's timeout would")
    return "done"


def runs(path: str) -> list[float]:
    runs_file = Path(path)
    return [float(line) for line in runs_file.read_text().split()] if runs_file.exists() else []
