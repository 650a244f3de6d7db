"""Posts a sandbox's status callbacks (GHN, Viettel Post) from a background thread, in order.

The sandbox may be mounted in the very app that receives its callbacks; posting from the request
that changed the status would then wait on itself. A single worker thread keeps callbacks in the
order the statuses changed (the carriers do not promise that, but a sandbox should be predictable),
and ``drain()`` lets a control endpoint answer only once they are out.

``hold = True`` keeps callbacks instead of posting them, for whoever takes them with ``take_held()``:
the demo loader runs before the web server listens, so it carries them to the webhooks itself.
"""
from __future__ import annotations

import queue
import threading
import time

import httpx


RETRY_DELAYS = (0.5, 1.0, 2.0, 0)  # after each failed attempt; four attempts in all


class CallbackSender:
    def __init__(self, url: str | None, timeout: float = 5.0, name: str = "sandbox-callbacks"):
        self.url = url
        self.name = name
        self.timeout = timeout
        self.sent: list[dict] = []  # what was posted and how the receiver answered
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.hold = False
        self.held: list[dict] = []

    def post(self, payload: dict) -> None:
        if self.hold:
            with self._lock:
                self.held.append(payload)
            return
        if not self.url:
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.name,
                                                daemon=True)
                self._thread.start()
        self._queue.put((self.url, payload))

    def configure(self, data: dict) -> dict:
        """``_control/webhook``: where to post (``url``), and whether to hold callbacks instead."""
        if "url" in data:
            self.url = data.get("url") or None
        if "hold" in data:
            self.hold = bool(data["hold"])
        return {"url": self.url, "sent": len(self.sent), "hold": self.hold}

    def take_held(self) -> list[dict]:
        with self._lock:
            taken, self.held = self.held, []
        return taken

    def drain(self, timeout: float = 5.0) -> None:
        """Wait (bounded) until every queued callback has been attempted."""
        done = threading.Event()

        def waiter():
            self._queue.join()
            done.set()

        threading.Thread(target=waiter, daemon=True).start()
        done.wait(timeout)

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout) as http:
            while True:
                url, payload = self._queue.get()
                record = {"url": url, "payload": payload, "status_code": None, "error": None}
                # Like the carriers, send again after a 5xx or no answer (a few times, backing
                # off); a 4xx is the receiver's final word.
                for delay in RETRY_DELAYS:
                    try:
                        record["status_code"] = http.post(url, json=payload).status_code
                        record["error"] = None
                    except httpx.HTTPError as exc:
                        record["error"] = str(exc)
                    if record["error"] is None and record["status_code"] < 500:
                        break
                    time.sleep(delay)
                self.sent.append(record)
                self._queue.task_done()


def register_callback_control(bp, sender: CallbackSender) -> None:
    """``POST /_control/callbacks``: the callbacks kept while ``hold`` is on, oldest first (each
    is given once)."""
    from flask import jsonify

    @bp.post("/_control/callbacks")
    def held_callbacks():
        return jsonify(sender.take_held())
