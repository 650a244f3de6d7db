"""Going live from the panel: an admin fills in a carrier or e-invoice account on its one form
(every setting its client reads, labelled and checked), the secrets are stored but never shown,
and "Test connection" asks the provider — here the app's own sandboxes over loopback HTTP — and
says plainly whether it worked and why not. Nobody but an admin reaches any of it."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Channel, IntegrationLog, InvoiceSeries, ProviderAccount
from app.services.connection_check import check_connection
from app.services.connection_settings import new_account, save
from app.services.errors import ValidationErrors
from tests.conftest import login
from tests.support import panel
from tests.support.connection import SECRETS, bare_channel, form, ghn_account_and_shopee_channel
from tests.support.einvoice import YEAR
from tests.support.live_server import serve

PROVIDERS = ["ghn", "viettelpost", "sinvoice", "misa"]
SUFFIX = {"ghn": "/shiip/public-api", "viettelpost": "/v2", "sinvoice": "/services/einvoiceapplication/api",
          "misa": "/api/integration"}


@pytest.fixture
def live(web_app):
    with serve(web_app) as url:
        yield web_app, url


def _admin(app):
    client = app.test_client()
    login(client, "admin")
    return client


def _alerts(resp) -> list[str]:
    text = panel.text(resp)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m)).replace("×", "").strip()
            for m in re.findall(r'class="alert alert-\w+[^"]*"[^>]*>(.*?)</div>', text, re.S)]


def _field_errors(resp) -> list[str]:
    return re.findall(r'oh-field-error">(.*?)</p>', panel.text(resp))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_admin_adds_an_account_on_its_form_and_tests_it(live, provider):
    app, url = live
    admin = _admin(app)
    chooser = admin.get("/provideraccountview/add", follow_redirects=True)
    assert "Viettel S-Invoice" in panel.text(chooser) and "Giao Hàng Nhanh (GHN)" in panel.text(chooser)
    page = panel.text(admin.get(f"/provideraccountview/new?provider={provider}"))
    assert "API address" in page and 'type="password"' in page
    answer = admin.post(f"/provideraccountview/new?provider={provider}",
                        data={**form(provider, url), "then": "test"}, follow_redirects=True)
    messages = _alerts(answer)
    assert f"Account {provider} account added." in messages
    assert any("accepted the connection" in m for m in messages), messages
    shown = panel.text(answer)
    assert SECRETS[provider] not in shown and "{'" not in shown and "[<" not in shown
    assert ">set<" in shown and "Test connection" in shown and "Edit settings" in shown
    with app.app_context():
        account = db.session.scalar(sa.select(ProviderAccount).where(ProviderAccount.provider == provider))
        assert account.kind.value == ("carrier" if provider in ("ghn", "viettelpost") else "einvoice")
        raw = db.session.execute(sa.text("SELECT credentials FROM provider_account")).scalar()
        assert SECRETS[provider] not in raw  # encrypted at rest
        logged = " ".join(str(r) for r in db.session.execute(sa.select(
            IntegrationLog.request_body, IntegrationLog.response_body, IntegrationLog.endpoint)).all())
        assert SECRETS[provider] not in logged


def test_every_rule_is_named_on_its_field_and_nothing_is_saved(live):
    app, url = live
    admin = _admin(app)
    values = form("sinvoice", url, name="Hóa đơn chính")
    values.update({"base_url": "ftp://hoadon", "settings.seller.tax_code": "0318123452",
                   "settings.timeout_seconds": "ba mươi", "credentials.password": "",
                   "series.1": "X26TAA", "settings.seller.phone": "12", "settings.template_codes.1": "1-001",
                   "settings.seller.email": "ketoan@"})
    refused = admin.post("/provideraccountview/new?provider=sinvoice", data=values)
    assert refused.status_code == 200 and "Nothing was saved" in panel.text(refused)
    errors = _field_errors(refused)
    for expected in ("API address: ftp://hoadon is not a web address",
                     "Seller tax code: tax code 0318123452 has a wrong check digit: the 10th digit should be 1",
                     "Timeout (seconds) is a whole number", "Password is required.",
                     "Series of VAT invoices: X26TAA is not an invoice series",
                     "Seller phone: 12 is not a Vietnamese phone number",
                     "Template code of VAT invoices: 1-001 does not fit the rule: 1/ and three digits",
                     "Seller email: ketoan@ is not an email address"):
        assert any(e.startswith(expected) for e in errors), (expected, errors)
    page = panel.text(refused)
    assert 'value="Hóa đơn chính"' in page and SECRETS["sinvoice"] not in page  # typed values kept, no secret
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ProviderAccount.id))) == 0


def test_editing_keeps_secrets_left_blank_and_registers_series(live):
    app, url = live
    with app.app_context():
        account_id = new_account(db.session, "sinvoice", form("sinvoice", url)).id
    admin = _admin(app)
    page = panel.text(admin.get(f"/provideraccountview/credentials/{account_id}"))
    assert 'name="credentials.password"' in page and SECRETS["sinvoice"] not in page
    assert f'value="C{YEAR % 100}TAA, K{YEAR % 100}TAK"' in page
    values = {**form("sinvoice", url), "credentials.password": "", "series.1": f"C{YEAR % 100}TAA, C{YEAR % 100}TAC",
              "settings.seller.address": "99 Lê Lợi, Phường Sài Gòn, TP. Hồ Chí Minh"}
    saved = admin.post(f"/provideraccountview/credentials/{account_id}", data=values, follow_redirects=True)
    assert "Settings saved: Seller address, Series of VAT invoices." in _alerts(saved)
    assert "99 Lê Lợi" in panel.text(saved)
    with app.app_context():
        account = db.session.get(ProviderAccount, account_id)
        assert account.credentials["password"] == SECRETS["sinvoice"]
        rows = {r.series: r.active for r in db.session.scalars(sa.select(InvoiceSeries).where(
            InvoiceSeries.provider_account_id == account_id, InvoiceSeries.template == "1"))}
        assert rows == {f"C{YEAR % 100}TAA": True, f"C{YEAR % 100}TAC": True, f"K{YEAR % 100}TAK": False}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_documented_address_with_its_path_works_and_wrong_credentials_say_so(live, provider):
    app, url = live
    with app.app_context():
        account = new_account(db.session, provider, form(provider, url, suffix=SUFFIX[provider]))
        check = check_connection(db.session, account)
        assert check.ok, check.message
        secret = {"ghn": "credentials.token", "viettelpost": "credentials.password",
                  "sinvoice": "credentials.password", "misa": "credentials.password"}[provider]
        save(db.session, account, {secret: "wrong-secret-123"})
        check = check_connection(db.session, account)
        assert not check.ok and "refused the credentials" in check.message, check.message


def test_a_wrong_setting_is_named_by_the_providers_answer(live):
    app, url = live
    with app.app_context():
        ghn = new_account(db.session, "ghn", form("ghn", url))
        save(db.session, ghn, {"credentials.shop_id": "999"})
        check = check_connection(db.session, ghn)
        assert not check.ok and "999" in check.message
        misa = new_account(db.session, "misa", form("misa", url))
        save(db.session, misa, {"series.1": f"C{YEAR % 100}TAA, C{YEAR % 100}TZZ"})
        check = check_connection(db.session, misa)
        assert not check.ok and f"1C{YEAR % 100}TZZ" in check.message and "would be refused" in check.message
        away = new_account(db.session, "sinvoice", {**form("sinvoice", url), "base_url": "http://127.0.0.1:9"})
        check = check_connection(db.session, away)
        assert not check.ok and "could not be reached at http://127.0.0.1:9" in check.message


def test_an_incomplete_account_is_not_tested_and_says_what_it_needs(live):
    app, url = live
    with app.app_context():
        account = ProviderAccount(kind="carrier", provider="ghn", name="GHN cũ", base_url=f"{url}/sandbox/ghn",
                                  credentials={"token": SECRETS["ghn"]}, settings={})
        db.session.add(account)
        db.session.commit()
        account_id = account.id
    admin = _admin(app)
    page = admin.get(f"/provideraccountview/show/{account_id}")
    assert any("cannot work yet: it still needs Shop ID, Sender name" in m for m in _alerts(page))
    tested = admin.post(f"/provideraccountview/test-connection/{account_id}", follow_redirects=True)
    assert any(m.startswith("Not tested: Giao Hàng Nhanh (GHN) still needs Shop ID") for m in _alerts(tested))


def test_a_channels_app_credentials_on_its_form_and_its_test(live):
    from tests.support.marketplaces import SANDBOXES, connect
    app, url = live
    with app.app_context():
        channel_id = bare_channel(db.session, "lazada", "Lazada chính", url)
    admin = _admin(app)
    creds = SANDBOXES["lazada"][0]
    saved = admin.post(f"/channelview/credentials/{channel_id}", follow_redirects=True,
                       data={"base_url": f"{url}/sandbox/lazada/rest", "credentials.app_key": creds["app_key"],
                             "credentials.app_secret": creds["app_secret"]})
    assert "Settings saved: API address, App key, App secret." in _alerts(saved)
    tested = admin.post(f"/channelview/test-connection/{channel_id}", data={"back": "form"},
                        follow_redirects=True)
    assert any("no shop is connected to this channel yet" in m for m in _alerts(tested))
    connect(app, url, channel_id)
    tested = admin.post(f"/channelview/test-connection/{channel_id}", data={"back": "form"},
                        follow_redirects=True)
    assert any("Lazada accepted the connection: shop OrderHub Demo Shop" in m for m in _alerts(tested))
    assert creds["app_secret"] not in panel.text(tested)


NEW_URLS = ["/provideraccountview/new?provider=ghn", "/provideraccountview/credentials/{account}",
            "/provideraccountview/show/{account}", "/channelview/credentials/{channel}"]
POSTS = ["/provideraccountview/test-connection/{account}", "/channelview/test-connection/{channel}",
         "/provideraccountview/credentials/{account}", "/channelview/credentials/{channel}"]


@pytest.mark.parametrize("role", ["clerk", "supervisor"])
def test_a_clerk_or_supervisor_reaches_none_of_it(live, role):
    app, url = live
    with app.app_context():
        account, channel = ghn_account_and_shopee_channel(db.session, url)
    client = app.test_client()
    login(client, role)
    for url_ in NEW_URLS:
        resp = client.get(url_.format(account=account, channel=channel))
        assert resp.status_code in (302, 403), (role, url_)
    for url_ in POSTS:
        resp = client.post(url_.format(account=account, channel=channel),
                           data={"credentials.partner_key": "stolen", "credentials.token": "stolen"})
        assert resp.status_code in (302, 403), (role, url_)
    with app.app_context():
        assert db.session.get(Channel, channel).credentials["partner_key"] == "pk-kept"
        assert db.session.get(ProviderAccount, account).credentials["token"] == SECRETS["ghn"]
        assert db.session.scalar(sa.select(sa.func.count(IntegrationLog.id))) == 0  # nothing was tested


def test_the_service_refuses_unknown_settings_and_required_blanks(session):
    account = ProviderAccount(kind="carrier", provider="ghn", name="GHN", base_url="https://online-gateway.ghn.vn")
    session.add(account)
    session.commit()
    with pytest.raises(ValidationErrors) as refused:
        save(session, account, {"settings.sender.colour": "red", "base_url": ""})
    assert "is not a setting of this account" in refused.value.errors["settings.sender.colour"][0]
    assert refused.value.errors["base_url"] == ["API address is required."]
    session.refresh(account)
    assert account.base_url == "https://online-gateway.ghn.vn"
