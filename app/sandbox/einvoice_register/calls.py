"""What a provider's audit log shows, and the one fault a crash test needs, for both e-invoice sandboxes.

- ``CallLog``: every API call received, in order, with its operation (``create``, ``lookup``, ``pdf``…)
  and the idempotency key it named; ``GET /_control/calls`` lists them, so a test can tell whether a
  retry looked the invoice up before sending it again.
- ``Holds``: "create the invoice, then hold the answer". ``POST /_control/hold`` with
  ``{"operation": "create", "count": 1, "seconds": 60}`` (or a ``path`` fragment instead of the
  operation) makes the next matching request do its work
  (the invoice is numbered and visible in ``/_control/invoices``) and then wait before answering —
  long enough for a test to kill the caller, which never hears back. ``POST /_control/release`` (and a
  state reset) lets held answers go.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from flask import Blueprint, jsonify, request


class CallLog:
    def __init__(self):
        self._calls: list[dict] = []
        self._lock = threading.Lock()

    def record(self, operation: str, keys=(), **extra) -> str:
        with self._lock:
            self._calls.append({"seq": len(self._calls) + 1, "at": time.time(), "operation": operation,
                                "path": request.path, "keys": [str(k) for k in keys if k], **extra})
        return operation

    def all(self) -> list[dict]:
        with self._lock:
            return list(self._calls)

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()


@dataclass
class _Hold:
    operation: str
    path: str
    count: int
    seconds: float
    released: threading.Event = field(default_factory=threading.Event)


class Holds:
    def __init__(self):
        self._holds: list[_Hold] = []
        self._lock = threading.Lock()

    def arm(self, operation: str = "", path: str = "", count: int = 1, seconds: float = 60.0) -> _Hold:
        hold = _Hold(operation=operation, path=path, count=max(1, int(count)),
                     seconds=min(float(seconds), 300.0))
        with self._lock:
            self._holds.append(hold)
        return hold

    def take(self, operation: str, path: str) -> _Hold | None:
        with self._lock:
            for hold in self._holds:
                matches = hold.operation == operation if hold.operation else hold.path in path
                if matches and hold.count > 0:
                    hold.count -= 1
                    return hold
        return None

    def wait(self, hold: _Hold | None) -> None:
        if hold is not None:
            hold.released.wait(hold.seconds)

    def release(self) -> None:
        with self._lock:
            for hold in self._holds:
                hold.released.set()
            self._holds.clear()


def register_einvoice_control(bp: Blueprint, injector, ledger) -> tuple[CallLog, Holds]:
    """The control endpoints of an e-invoice sandbox: faults and reset (``app.sandbox.faults``; a state
    reset forgets the register and the calls and lets held answers go), the call log and holds."""
    from app.sandbox.faults import register_control
    calls, holds = CallLog(), Holds()

    def reset_state():
        holds.release()
        calls.reset()
        ledger.reset()

    register_control(bp, injector, reset_state=reset_state)
    _register_calls_control(bp, calls, holds)
    return calls, holds


def _register_calls_control(bp: Blueprint, calls: CallLog, holds: Holds) -> None:
    @bp.get("/_control/calls")
    def list_calls():
        return jsonify(calls.all())

    @bp.post("/_control/hold")
    def arm_hold():
        data = request.get_json(silent=True) or {}
        if not (data.get("operation") or data.get("path")):
            return jsonify({"error": "operation (create, lookup, pdf) or path is required"}), 400
        try:
            hold = holds.arm(str(data.get("operation") or ""), str(data.get("path") or ""),
                             data.get("count", 1), data.get("seconds", 60))
        except (TypeError, ValueError) as exc:
            return jsonify({"error": str(exc)}), 400
        return jsonify({"armed": {"operation": hold.operation, "path": hold.path, "count": hold.count,
                                  "seconds": hold.seconds}})

    @bp.post("/_control/release")
    def release():
        holds.release()
        return jsonify({"released": True})
