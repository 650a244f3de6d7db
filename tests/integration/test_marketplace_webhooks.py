"""Webhooks answered as each marketplace expects: Shopee's URL-verification push (no shop id) gets an
empty 200 — registering the callback URL with Shopee depends on it — every answer has an empty
body (the accepted pushes of each sandbox: test_channel_sync), and a withdrawn authorization flags
the shop "reconnect needed" on its page."""
from __future__ import annotations

import hashlib
import hmac
import time

import httpx
import sqlalchemy as sa

from app.extensions import db
from app.models import Channel, WebhookEvent, WebhookStatus
from app.sandbox import lazada as lazada_sandbox
from app.sandbox import shopee as shopee_sandbox
from tests.conftest import login
from tests.support.marketplaces import (add_channel, app, connect, live, live_server,  # noqa: F401
                                        shopee_push)

VERIFY = {"code": 0, "data": {"verify_info": "This is a Verification message.Please respond in "
                                             "the certain format."}}


def test_shopee_url_verification_push_is_answered_with_an_empty_200(app, live):
    channel_id = add_channel(app, live, "shopee")
    forged = shopee_push(live, VERIFY, key="someone-else's-key")
    assert forged.status_code == 401
    answer = shopee_push(live, VERIFY)
    assert answer.status_code == 200 and answer.content == b""
    with app.app_context():
        event = db.session.scalars(sa.select(WebhookEvent).order_by(WebhookEvent.id.desc())).first()
        assert (event.kind, event.status, event.channel_id) == ("verify", WebhookStatus.PROCESSED,
                                                                channel_id)


def test_a_push_without_a_shop_we_know_is_refused_with_an_empty_body(app, live):
    add_channel(app, live, "lazada")
    body = b'{"message_type":0,"seller_id":"404404","data":{}}'
    creds = lazada_sandbox.DEMO_CREDENTIALS  # signed with our app's secret, for a shop not ours
    sign = hmac.new(creds["app_secret"].encode(), creds["app_key"].encode() + body,
                    hashlib.sha256).hexdigest()
    unknown = httpx.post(f"{live}/webhooks/lazada", content=body, headers={"Authorization": sign})
    assert unknown.status_code == 404 and unknown.content == b""
    # Unsigned, the same body is not even read: the signature is checked first.
    unsigned = httpx.post(f"{live}/webhooks/lazada", content=body, headers={"Authorization": "00"})
    assert unsigned.status_code == 401 and unsigned.content == b""
    with app.app_context():
        reasons = [e.reason for e in db.session.scalars(sa.select(WebhookEvent)
                                                        .order_by(WebhookEvent.id))]
    assert "Unknown shop 404404" in reasons[0] and "signature does not match" in reasons[1]


def test_withdrawn_authorization_flags_the_shop_for_reconnecting(app, live):
    channel_id = add_channel(app, live, "shopee")
    connect(app, live, channel_id)
    shop_id = shopee_sandbox.DEMO_CREDENTIALS["shop_id"]
    answer = shopee_push(live, {"code": 2, "data": {"shop_id": shop_id, "authorize_type": "cancel"},
                            "timestamp": int(time.time())})
    assert answer.status_code == 200 and answer.content == b""
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        assert "withdrew the authorization" in channel.reconnect_reason
    page = app.test_client()
    login(page, "supervisor")
    shown = page.get(f"/channelview/show/{channel_id}")
    assert "Reconnect needed" in shown.text and "withdrew the authorization" in shown.text
    listed = page.get("/channelview/list/")
    assert "withdrew the authorization" in listed.text
    connect(app, live, channel_id)  # connecting again clears it
    with app.app_context():
        assert db.session.get(Channel, channel_id).reconnect_reason is None
