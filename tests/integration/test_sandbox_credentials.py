"""`flask sandbox credentials` prints valid JSON naming every sandbox's base URL and the demo
credentials, enough for any tool to talk to them (here: a signed Shopee call)."""
from __future__ import annotations

import json

import httpx

from app.integrations.marketplaces.shopee import ShopeeClient
from app.sandbox.mount import PROVIDERS
from tests.conftest import make_app
from tests.support.live_server import serve


def test_sandbox_credentials_prints_json_with_every_base_url(tmp_path):
    app = make_app(tmp_path)
    with serve(app) as base:
        app.config["PUBLIC_BASE_URL"] = base
        printed = app.test_cli_runner().invoke(args=["sandbox", "credentials"])
        assert printed.exit_code == 0, printed.output
        sandboxes = json.loads(printed.output)
        assert set(sandboxes) == set(PROVIDERS)
        for provider, entry in sandboxes.items():
            assert entry["base_url"] == f"{base}/sandbox/{provider}"
        for provider in ("shopee", "lazada", "tiktok"):
            assert httpx.get(sandboxes[provider]["base_url"] + "/_control/state").status_code == 200
        shopee = sandboxes["shopee"]
        client = ShopeeClient(shopee["base_url"], partner_id=shopee["credentials"]["partner_id"],
                              partner_key=shopee["credentials"]["partner_key"])
        page = httpx.get(client.authorization_url(f"{base}/channels/callback"))
        assert page.status_code == 200 and "Authorize" in page.text  # the signature was accepted
