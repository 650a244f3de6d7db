"""Time passing in a marketplace sandbox's shop, on its own: every ``every`` seconds one step of the
shop's life (a new order, a payment, a buyer cancelling, a parcel delivered…), each pushed to the
configured webhook as the marketplace would. The demo runs it; tests leave it off unless they ask
(``POST /_control/simulate``), so what they see does not change under them.
"""
from __future__ import annotations

import logging
import random
import threading
from typing import Callable

log = logging.getLogger(__name__)


class ShopClock:
    def __init__(self, step: Callable[[random.Random], list], *, seed: int, name: str):
        self.step, self.name = step, name
        self.rng = random.Random(seed)
        self.every = 0.0
        self.happened: list = []  # the last events, for a look from tests or a person
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, steps: int = 1) -> list:
        """Take ``steps`` steps now; returns what happened."""
        events = []
        with self._lock:
            for _ in range(max(int(steps), 0)):
                events += self.step(self.rng)
            self.happened = (self.happened + events)[-200:]
        return events

    def start(self, every: float) -> None:
        """Step every ``every`` seconds from now on (0 stops)."""
        self.every = max(float(every), 0.0)
        self._wake.set()
        if self.every and (self._thread is None or not self._thread.is_alive()):
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while self.every:
            self._wake.clear()
            if self._wake.wait(self.every):
                continue  # re-timed or stopped
            try:
                self.run(1)
            except Exception:  # a sandbox must keep ticking whatever one step did
                log.exception("%s: a simulated step failed", self.name)


class ShopLife:
    """What can happen in one marketplace's shop, in its own status words, and how to make it
    happen: the sandbox hands over its order functions and its signed push. ``orders_in``
    answers ``[(order id, status)]`` for the statuses asked; ``moves`` maps a status to the next
    one the platform, the carrier or the buyer brings it to."""

    def __init__(self, *, new_statuses, moves: dict, cancellable, cancelled: str, new_order,
                 set_status, orders_in, push, webhook_url: str | None,
                 weights=(0.4, 0.15, 0.45)):
        self.webhook_url = webhook_url  # where pushes go; ``push(order id, url)`` sends one
        self.new_statuses, self.moves = list(new_statuses), dict(moves)
        self.cancellable, self.cancelled = set(cancellable), cancelled
        self.new_order, self.set_status, self.orders_in, self.push = \
            new_order, set_status, orders_in, push
        self.weights = weights  # a new order, a buyer cancelling, an order moving on

    def step(self, rng: random.Random) -> list:
        kind = rng.choices(("new", "cancel", "move"), weights=self.weights)[0]
        if kind == "cancel":
            candidates = self.orders_in(self.cancellable)
            if candidates:
                order_id, _ = rng.choice(candidates)
                self.set_status(order_id, self.cancelled, "Buyer changed mind")
                return [self._pushed("cancelled", order_id, self.cancelled)]
        if kind == "move":
            candidates = self.orders_in(set(self.moves))
            if candidates:
                order_id, status = rng.choice(candidates)
                self.set_status(order_id, self.moves[status], "")
                return [self._pushed("moved", order_id, self.moves[status])]
        order_id = self.new_order(rng.choice(self.new_statuses))
        return [self._pushed("new", order_id, None)]

    def _pushed(self, what: str, order_id, status) -> dict:
        return {"event": what, "order_id": str(order_id), "status": status,
                "push": self.push(order_id, self.webhook_url)}


def simulated(bp, life: ShopLife, *, seed: int, name: str, every: float) -> ShopClock:
    """Give the sandbox blueprint its shop's clock (``bp.clock``) and its control endpoints:

    ``POST /_control/simulate`` ``{"steps": 3}`` takes steps now (answers what happened);
    ``{"every": 30}`` lets the shop live on its own every 30 s (0 stops); ``{"url": ...}`` sends
    the pushes elsewhere (a path means this server); ``GET /_control/simulate`` shows the clock
    and the last events."""
    from flask import jsonify, request

    from app.sandbox.pushes import target

    clock = bp.clock = ShopClock(life.step, seed=seed, name=name)
    clock.start(every)

    @bp.post("/_control/simulate")
    def simulate():
        data = request.get_json(silent=True) or {}
        if data.get("url"):
            life.webhook_url = target(data["url"], None, request.host_url)
        try:
            if "every" in data:
                clock.start(float(data["every"]))
            events = clock.run(int(data.get("steps", 0)))
        except (TypeError, ValueError):
            return jsonify({"error": "steps must be an integer and every a number of seconds"}), 400
        return jsonify({"every": clock.every, "events": events})

    @bp.get("/_control/simulate")
    def simulation():
        return jsonify({"every": clock.every, "events": clock.happened[-50:]})

    return clock
