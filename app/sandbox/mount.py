"""Mount every provider sandbox under /sandbox/<provider> (demo and tests only)."""
from __future__ import annotations

import importlib
import logging

from app.sandbox.persistence import keep_state

log = logging.getLogger(__name__)

PROVIDERS = ("shopee", "lazada", "tiktok", "ghn", "viettelpost", "sinvoice", "misa", "messenger", "zalo")
CARRIERS = ("ghn", "viettelpost")  # their parcels move on by themselves (SANDBOX_CARRIER_STEP_SECONDS)


def webhook_base(app) -> str:
    return app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")


def mount_sandboxes(app) -> list:
    blueprints = []
    base = webhook_base(app)
    for provider in PROVIDERS:
        module = importlib.import_module(f"app.sandbox.{provider}")
        kwargs = {}
        import inspect
        params = inspect.signature(module.create_blueprint).parameters
        if "webhook_url" in params:
            kwargs["webhook_url"] = f"{base}/webhooks/{provider}"
        if "simulate_every" in params:  # marketplaces live on their own in the demo, not in tests
            kwargs["simulate_every"] = float(app.config.get("SANDBOX_SIMULATE_SECONDS", 0))
        if "webhook_token" in params:
            kwargs["webhook_token"] = module.DEMO_CREDENTIALS.get("webhook_token")
        if "step_seconds" in params and provider in CARRIERS:
            kwargs["step_seconds"] = float(app.config.get("SANDBOX_CARRIER_STEP_SECONDS") or 0) or None
        bp = module.create_blueprint(**kwargs)
        keep_state(bp, provider, getattr(bp, "sandbox_state", None),
                   app.config.get("SANDBOX_STATE_DIR"))
        app.register_blueprint(bp, url_prefix=f"/sandbox/{provider}")
        blueprints.append(bp)
    return blueprints


def demo_credentials(app) -> dict:
    """Base URLs and demo credentials of every sandbox, for `flask sandbox credentials`."""
    base = webhook_base(app)
    out = {}
    for provider in PROVIDERS:
        module = importlib.import_module(f"app.sandbox.{provider}")
        out[provider] = {"base_url": f"{base}/sandbox/{provider}",
                         "credentials": getattr(module, "DEMO_CREDENTIALS", {})}
    return out
