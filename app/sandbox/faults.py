"""Fault injection shared by the sandboxes.

A test (or a person trying the demo) arms a fault with
``POST /sandbox/<provider>/_control/faults`` and JSON ``{"mode": ..., "count": 1, "path": "..."}``:

- ``5xx``: answer HTTP 503 with a provider-looking error body;
- ``429``: answer HTTP 429 (rate limited);
- ``timeout``: sleep ``delay`` seconds (default 3) before answering, so a client with a shorter
  timeout gives up; with ``"after": true`` the request is processed first and the answer delayed,
  which is how "the provider did it but we never heard back" is simulated;
- ``malformed``: answer 200 with a body that is not JSON.

``count`` is how many matching requests fail (default 1); ``path`` limits the fault to request paths
containing that text. ``POST /sandbox/<provider>/_control/reset`` clears faults.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, request

MODES = {"5xx", "429", "timeout", "malformed"}


@dataclass
class Fault:
    mode: str
    count: int = 1
    path: str | None = None
    delay: float = 3.0
    after: bool = False


class FaultInjector:
    def __init__(self):
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def arm(self, mode: str, count: int = 1, path: str | None = None, delay: float = 3.0,
            after: bool = False) -> Fault:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {sorted(MODES)}")
        fault = Fault(mode=mode, count=max(1, int(count)), path=path, delay=float(delay), after=bool(after))
        with self._lock:
            self._faults.append(fault)
        return fault

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, path: str) -> Fault | None:
        """Consume one armed fault matching ``path``, if any."""
        with self._lock:
            for fault in self._faults:
                if fault.path is None or fault.path in path:
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def before(self, fault: Fault | None, error_body: dict | None = None) -> Response | None:
        """Apply a fault before the request is processed; returns the response to send, if any."""
        if fault is None:
            return None
        if fault.mode == "5xx":
            resp = jsonify(error_body or {"error": "internal_error", "message": "Service unavailable"})
            resp.status_code = 503
            return resp
        if fault.mode == "429":
            resp = jsonify(error_body or {"error": "rate_limited", "message": "Too many requests"})
            resp.status_code = 429
            return resp
        if fault.mode == "malformed":
            return Response("<html>502 Bad Gateway</html>{", status=200, mimetype="application/json")
        if fault.mode == "timeout" and not fault.after:
            time.sleep(fault.delay)
        return None

    def after(self, fault: Fault | None) -> None:
        if fault is not None and fault.mode == "timeout" and fault.after:
            time.sleep(fault.delay)


def register_control(bp: Blueprint, injector: FaultInjector, reset_state=None) -> None:
    """Add the ``_control/faults`` and ``_control/reset`` endpoints to a sandbox blueprint."""

    @bp.post("/_control/faults")
    def arm_fault():
        data = request.get_json(silent=True) or {}
        try:
            fault = injector.arm(data.get("mode", ""), data.get("count", 1), data.get("path"),
                                 data.get("delay", 3.0), data.get("after", False))
        except (ValueError, TypeError) as exc:
            return jsonify({"error": str(exc)}), 400
        return jsonify({"armed": fault.__dict__})

    @bp.post("/_control/reset")
    def reset():
        injector.reset()
        if reset_state is not None and (request.get_json(silent=True) or {}).get("state"):
            reset_state()
        return jsonify({"reset": True})
