"""A sandbox's memory, kept across restarts of the demo.

A real provider does not forget the invoices it numbered, the parcels it carries or the tokens it
issued because our server restarted; a sandbox that did would make the demo's second start fail
(an invoice numbered 1 again, a parcel the carrier no longer knows, a shop that must reconnect).
With ``SANDBOX_STATE_DIR`` set (the demo keeps it under ``instance/sandbox``; tests leave it unset),
each sandbox's state object is restored at mount and saved after every request it answers.

What is kept is the state object's own attributes, less what cannot outlive a process (locks,
threads, open connections): every value that pickles.
"""
from __future__ import annotations

import logging
import os
import pickle
import tempfile
import threading
from contextlib import nullcontext
from pathlib import Path

log = logging.getLogger(__name__)


def _snapshot(state) -> bytes:
    kept = {}
    for key, value in vars(state).items():
        try:
            pickle.dumps(value)
        except Exception:  # a lock, a thread, a socket: rebuilt by the sandbox itself
            continue
        kept[key] = value
    return pickle.dumps(kept)


def restore(state, path: Path) -> bool:
    if not path.exists():
        return False
    try:
        saved = pickle.loads(path.read_bytes())
    except Exception:
        log.warning("sandbox state %s is unreadable; starting afresh", path)
        return False
    vars(state).update(saved)
    return True


def keep_state(bp, name: str, state, folder: str | os.PathLike | None) -> None:
    """Restore ``state`` from ``folder/<name>.pickle`` now; save it after each request to ``bp``."""
    if not folder or state is None:
        return
    path = Path(folder) / f"{name}.pickle"
    path.parent.mkdir(parents=True, exist_ok=True)
    if restore(state, path):
        log.info("sandbox %s: state restored from %s", name, path)
    writing = threading.Lock()

    @bp.after_request
    def _save(response):
        with getattr(state, "lock", None) or nullcontext():
            data = _snapshot(state)
        with writing:  # write beside, then rename: a crash never leaves half a file
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        return response
