"""The demo shop served on a loopback port, as `python run.py` serves it: the sandboxes' callbacks
and the background jobs reach the app at the address it really listens on."""
from __future__ import annotations

from contextlib import contextmanager

from tests.conftest import DEMO_PASSWORD
from tests.support.live_server import serve


@contextmanager
def demo_site(app):
    """Serve ``app``, load the demo shop into it, and yield the base URL."""
    import httpx
    with serve(app) as base:
        app.config["PUBLIC_BASE_URL"] = base
        for carrier in ("ghn", "viettelpost"):  # their tracking callbacks come to this server
            httpx.post(f"{base}/sandbox/{carrier}/_control/webhook",
                       json={"url": f"{base}/webhooks/{carrier}"}).raise_for_status()
        with app.app_context():
            from app.demo import load_demo
            load_demo(app, password=DEMO_PASSWORD)
        yield base
