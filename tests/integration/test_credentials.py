"""An admin sets a connection's secrets on its own page: stored encrypted, never shown back, kept
when left blank; nobody else reaches the page."""
import sqlalchemy as sa

from app.extensions import db
from app.models import Channel, Platform, ProviderAccount, ProviderKind
from tests.conftest import api_token, login
from tests.support import panel


def _records(app):
    with app.app_context():
        account = ProviderAccount(kind=ProviderKind.CARRIER, provider="ghn", name="GHN chính",
                                  base_url="https://online-gateway.ghn.vn")
        channel = Channel(platform=Platform.SHOPEE, name="Shopee chính", base_url="https://x",
                          credentials={"access_token": "tok-kept"})
        db.session.add_all([account, channel])
        db.session.commit()
        return account.id, channel.id


def test_an_admin_sets_secrets_that_are_never_shown_again(web_app):
    account_id, channel_id = _records(web_app)
    admin = web_app.test_client()
    login(admin, "admin")
    page = panel.text(admin.get(f"/provideraccountview/credentials/{account_id}"))
    assert "API token" in page and "not set" in page
    resp = admin.post(f"/provideraccountview/credentials/{account_id}",
                      data={"credentials.token": "ghn-secret-token-123", "credentials.shop_id": "885"},
                      follow_redirects=True)
    assert "Settings saved: API token, Shop ID." in panel.text(resp)
    with web_app.app_context():
        raw = db.session.execute(sa.text("SELECT credentials FROM provider_account")).scalar()
        assert "ghn-secret-token-123" not in raw  # encrypted at rest
        assert db.session.get(ProviderAccount, account_id).credentials == {
            "token": "ghn-secret-token-123", "shop_id": 885}
    again = panel.text(admin.get(f"/provideraccountview/credentials/{account_id}"))
    assert "ghn-secret-token-123" not in again and again.count(">set<") == 1  # the token; the shop id is shown
    assert 'value="885"' in again
    for url in (f"/provideraccountview/show/{account_id}", "/provideraccountview/list/",
                "/auditlogview/list/"):
        assert "ghn-secret-token-123" not in panel.text(admin.get(url))

    # A channel's app key: a blank field keeps what is stored, tokens from connecting stay.
    admin.post(f"/channelview/credentials/{channel_id}", data={"credentials.partner_id": "2001887",
                                                              "credentials.partner_key": "pk-1"})
    refused = admin.post(f"/channelview/credentials/{channel_id}", data={"credentials.partner_id": "abc"},
                         follow_redirects=True)
    assert "Partner ID is a whole number (not abc)." in panel.text(refused)
    admin.post(f"/channelview/credentials/{channel_id}", data={"credentials.partner_key": "pk-2"})
    with web_app.app_context():
        assert db.session.get(Channel, channel_id).credentials == {
            "access_token": "tok-kept", "partner_id": 2001887, "partner_key": "pk-2"}
    listing = admin.get(f"/api/v1/channel/{channel_id}", headers=api_token(admin, "admin"))
    assert "pk-2" not in listing.get_data(as_text=True)


def test_nobody_but_an_admin_reaches_the_page(web_app):
    account_id, channel_id = _records(web_app)
    for who in ("clerk", "supervisor"):
        client = web_app.test_client()
        login(client, who)
        for url in (f"/channelview/credentials/{channel_id}",
                    f"/provideraccountview/credentials/{account_id}"):
            assert client.get(url).status_code in (302, 403), (who, url)
            resp = client.post(url, data={"credentials.token": "x", "credentials.partner_key": "x"})
            assert resp.status_code in (302, 403)
    with web_app.app_context():
        assert db.session.get(Channel, channel_id).credentials == {"access_token": "tok-kept"}
        assert db.session.get(ProviderAccount, account_id).credentials is None
