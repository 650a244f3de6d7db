"""Connecting a shop another channel already holds: the marketplace's callback answers a page that
names the channel holding it, changes nothing, and never a 500 — on each marketplace, through the
browser's path (Connect → the sandbox's consent page → our callback)."""
from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest

from app.demo_channels import _authorize
from app.extensions import db
from app.models import Channel
from tests.conftest import login
from tests.support import panel
from tests.support.marketplaces import (SANDBOXES, add_channel, app, connect, live,  # noqa: F401
                                        live_server)


def _connect_in_the_browser(app, channel_id):
    client = app.test_client()
    login(client, "admin")
    started = client.get(f"/channels/{channel_id}/connect")
    assert started.status_code == 302, started.status_code
    with httpx.Client(timeout=10) as browser:
        answer = _authorize(browser, started.headers["Location"])
    return client.get(f"/channels/callback?{urlencode(answer)}")


@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_a_shop_held_by_another_channel_is_refused_with_a_page_naming_it(app, live, platform):
    first = add_channel(app, live, platform)
    connect(app, live, first)
    with app.app_context():
        second = Channel(platform=db.session.get(Channel, first).platform, name=f"{platform} again",
                         base_url=f"{live}/sandbox/{platform}",
                         credentials={k: SANDBOXES[platform][0][k] for k in SANDBOXES[platform][1]})
        db.session.add(second)
        db.session.commit()
        second_id, shop_id = second.id, db.session.get(Channel, first).shop_id
    answer = _connect_in_the_browser(app, second_id)
    assert answer.status_code == 200
    text = panel.text(answer)
    assert "This shop is already connected" in text
    assert f"Shop {shop_id}" in text and f"already connected as channel {platform} shop" in text
    assert f"{platform} again was not changed" in text
    with app.app_context():
        untouched = db.session.get(Channel, second_id)
        assert untouched.shop_id is None and not untouched.connected
        assert db.session.get(Channel, first).connected
