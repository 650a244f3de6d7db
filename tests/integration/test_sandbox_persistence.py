"""The demo's sandboxes remember across a restart what the real providers would: a parcel the
carrier holds, an invoice already numbered, a shop's tokens. (Tests keep them in memory.)"""
from __future__ import annotations

import httpx
from flask import Flask

from app.integrations.carriers.ghn import GHNClient
from app.sandbox.ghn import DEMO_CREDENTIALS as GHN
from app.sandbox.mount import mount_sandboxes
from tests.integration.test_ghn import shipment
from tests.integration.test_sinvoice import make_client, payload
from tests.support.live_server import serve


def _sandboxes(state_dir) -> Flask:
    """The sandboxes as the demo mounts them, with their memory in ``state_dir``."""
    app = Flask("sandboxes")
    app.config.update(SANDBOX_STATE_DIR=str(state_dir), PUBLIC_BASE_URL="http://127.0.0.1:9")
    mount_sandboxes(app)
    return app


def test_parcels_and_invoices_outlive_a_restart(tmp_path):
    request = shipment()
    with serve(_sandboxes(tmp_path)) as url:
        with GHNClient(f"{url}/sandbox/ghn", GHN["token"], GHN["shop_id"], timeout=5) as ghn:
            parcel = ghn.create_shipment(request)
        with make_client(f"{url}/sandbox/sinvoice") as sinvoice:
            first = sinvoice.create_invoice(payload())
    assert sorted(p.name for p in tmp_path.iterdir()) >= ["ghn.pickle", "sinvoice.pickle"]

    with serve(_sandboxes(tmp_path)) as url:  # the demo started again
        with GHNClient(f"{url}/sandbox/ghn", GHN["token"], GHN["shop_id"], timeout=5) as ghn:
            known = ghn.find_by_reference(request.client_reference)
            assert known is not None and known.tracking_number == parcel.tracking_number
            again = ghn.create_shipment(request)  # the key is still taken: the same parcel
            assert again.already_existed and again.tracking_number == parcel.tracking_number
        with make_client(f"{url}/sandbox/sinvoice") as sinvoice:
            second = sinvoice.create_invoice(payload())
        assert (first.number, second.number) == (1, 2)  # numbering goes on, no second "1"
        shipments = httpx.get(f"{url}/sandbox/ghn/_control/shipments").json()
        assert [s["order_code"] for s in shipments] == [parcel.tracking_number]


def test_without_a_state_folder_every_start_is_fresh(tmp_path):
    app = Flask("sandboxes")
    app.config.update(SANDBOX_STATE_DIR=None, PUBLIC_BASE_URL="http://127.0.0.1:9")
    mount_sandboxes(app)
    with serve(app) as url:
        with GHNClient(f"{url}/sandbox/ghn", GHN["token"], GHN["shop_id"], timeout=5) as ghn:
            ghn.create_shipment(shipment())
    assert list(tmp_path.iterdir()) == []
