"""The same connection settings over REST (``/api/v1/provider_account/…``, a channel's
``/connection``) and the ``flask`` CLI (``providers`` and ``channels``): admins only, every rule of
the form, secrets set or replaced but never answered, echoed or printed — against the app's own
sandboxes over loopback HTTP."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Channel, ProviderAccount
from tests.conftest import api_token
from tests.support.connection import SECRETS, bare_channel, form, ghn_account_and_shopee_channel
from tests.support.live_server import serve
from tests.support.marketplaces import SANDBOXES


@pytest.fixture
def live(web_app):
    with serve(web_app) as url:
        yield web_app, url


def _secret_free(*answers) -> str:
    text = "\n".join(a.get_data(as_text=True) if hasattr(a, "get_data") else str(a) for a in answers)
    for secret in SECRETS.values():
        assert secret not in text
    return text


def test_an_admin_adds_changes_and_tests_an_account_over_rest(live):
    app, url = live
    client = app.test_client()
    admin = api_token(client, "admin")
    refused = client.post("/api/v1/provider_account/", headers=admin,
                          json={**form("misa", url), "provider": "misa", "settings.seller.tax_code": "0108123456"})
    assert refused.status_code == 422
    assert "wrong check digit" in refused.json["errors"]["settings.seller.tax_code"][0]
    added = client.post("/api/v1/provider_account/", headers=admin,
                        json={**form("misa", url, suffix="/api/integration"), "provider": "misa"})
    assert added.status_code == 201, added.json
    account = added.json["result"]
    assert account["secrets"] == {"credentials.password": "set"} and account["missing"] == []
    assert account["settings"]["settings.seller.tax_code"] == "0108123455"
    pk = added.json["id"]
    tested = client.post(f"/api/v1/provider_account/{pk}/test", headers=admin)
    assert tested.status_code == 200 and tested.json["ok"], tested.json
    changed = client.put(f"/api/v1/provider_account/{pk}", headers=admin,
                         json={"credentials": {"password": "not-the-password"},
                               "settings": {"seller": {"phone": "024 3912 3457"}}})
    assert changed.status_code == 200 and sorted(changed.json["changed"]) == [
        "credentials.password", "settings.seller.phone"]
    assert changed.json["result"]["settings"]["settings.seller.phone"] == "02439123457"
    tested = client.post(f"/api/v1/provider_account/{pk}/test", headers=admin)
    assert tested.json["ok"] is False and "refused the credentials" in tested.json["message"]
    listed = client.get("/api/v1/provider_account/", headers=admin)
    one = client.get(f"/api/v1/provider_account/{pk}", headers=admin)
    assert listed.json["count"] == 1 and one.json["result"]["name"] == "misa account"
    _secret_free(added, changed, listed, one)
    assert "not-the-password" not in listed.get_data(as_text=True) + one.get_data(as_text=True)


def test_a_channels_credentials_over_rest(live):
    app, url = live
    with app.app_context():
        pk = bare_channel(db.session, "tiktok", "TikTok chính", url)
    client = app.test_client()
    admin = api_token(client, "admin")
    creds = SANDBOXES["tiktok"][0]
    set_ = client.put(f"/api/v1/channel/{pk}/connection", headers=admin,
                      json={"credentials": {"app_key": creds["app_key"], "app_secret": creds["app_secret"]}})
    assert set_.status_code == 200 and set_.json["result"]["secrets"] == {"credentials.app_secret": "set"}
    bad = client.put(f"/api/v1/channel/{pk}/connection", headers=admin, json={"base_url": "tiktok"})
    assert bad.status_code == 422 and "not a web address" in bad.json["errors"]["base_url"][0]
    shown = client.get(f"/api/v1/channel/{pk}/connection", headers=admin)
    test = client.post(f"/api/v1/channel/{pk}/test_connection", headers=admin)
    assert test.json["ok"] is False and "no shop is connected" in test.json["message"]
    for answer in (set_, shown, test, client.get(f"/api/v1/channel/{pk}", headers=admin)):
        assert creds["app_secret"] not in answer.get_data(as_text=True)
    with app.app_context():
        website = bare_channel(db.session, "website", "Website", url)
    signed = client.put(f"/api/v1/channel/{website}/connection", headers=admin,
                        json={"credentials.api_secret": "web-secret-123"})
    assert signed.status_code == 200 and signed.json["result"]["secrets"] == {"credentials.api_secret": "set"}
    nothing = client.post(f"/api/v1/channel/{website}/test_connection", headers=admin)
    assert nothing.status_code == 200 and nothing.json["ok"] is False
    assert "calls OrderHub, not the other way round" in nothing.json["message"]


@pytest.mark.parametrize("role", ["clerk", "supervisor"])
def test_only_an_admin_reaches_the_connection_api(live, role):
    app, url = live
    with app.app_context():
        account, channel = ghn_account_and_shopee_channel(db.session, url)
    client = app.test_client()
    headers = api_token(client, role)
    calls = [("get", "/api/v1/provider_account/", None), ("get", f"/api/v1/provider_account/{account}", None),
             ("post", "/api/v1/provider_account/", {**form("ghn", url, name="x"), "provider": "ghn"}),
             ("put", f"/api/v1/provider_account/{account}", {"credentials.token": "stolen"}),
             ("post", f"/api/v1/provider_account/{account}/test", None),
             ("get", f"/api/v1/channel/{channel}/connection", None),
             ("put", f"/api/v1/channel/{channel}/connection", {"credentials.partner_key": "stolen"}),
             ("post", f"/api/v1/channel/{channel}/test_connection", None)]
    for verb, path, body in calls:
        answer = getattr(client, verb)(path, headers=headers, json=body)
        assert answer.status_code in (401, 403), (role, verb, path, answer.status_code)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ProviderAccount.id))) == 1
        assert db.session.get(Channel, channel).credentials["partner_key"] == "pk-kept"


def test_the_cli_sets_secrets_from_a_prompt_or_stdin_and_never_prints_them(live):
    app, url = live
    runner = app.test_cli_runner()
    values = form("viettelpost", url)
    pairs = [f"{k}={v}" for k, v in values.items() if k not in ("credentials.password", "credentials.webhook_token")]
    on_the_line = runner.invoke(args=["providers", "add", "viettelpost", *pairs,
                                      f"credentials.password={SECRETS['viettelpost']}"])
    assert on_the_line.exit_code != 0 and "is a secret" in on_the_line.output
    added = runner.invoke(args=["providers", "add", "viettelpost", *pairs, "--secret", "credentials.password"],
                          input=SECRETS["viettelpost"] + "\n")
    assert added.exit_code == 0, added.output
    assert "Added viettelpost account" in added.output and SECRETS["viettelpost"] not in added.output
    piped = runner.invoke(args=["providers", "set", "viettelpost account", "--stdin", "credentials.webhook_token"],
                          input="vtp-sandbox-webhook-secret\n")
    assert piped.exit_code == 0 and "Saved: credentials.webhook_token" in piped.output
    refused = runner.invoke(args=["providers", "set", "viettelpost account", "settings.sender.district_id=abc"])
    assert refused.exit_code != 0 and "settings.sender.district_id" in refused.output
    shown = runner.invoke(args=["providers", "show", "viettelpost account"])
    assert "credentials.password" in shown.output and "set" in shown.output
    assert "vtp-sandbox-webhook-secret" not in shown.output and "{'" not in shown.output
    listed = runner.invoke(args=["providers", "list"])
    assert "viettelpost account" in listed.output and "ready" in listed.output
    tested = runner.invoke(args=["providers", "test", "viettelpost account"])
    assert tested.exit_code == 0 and tested.output.startswith("OK: Viettel Post accepted the connection")
    runner.invoke(args=["providers", "set", "viettelpost account", "--secret", "credentials.password"],
                  input="wrong-password\n")
    failed = runner.invoke(args=["providers", "test", "viettelpost account"])
    assert failed.exit_code == 1 and "refused the credentials" in failed.output
    _secret_free(added.output, piped.output, shown.output, listed.output, tested.output, failed.output)
    with app.app_context():
        account = db.session.scalar(sa.select(ProviderAccount))
        assert account.credentials["password"] == "wrong-password"
        assert account.credentials["webhook_token"] == "vtp-sandbox-webhook-secret"


def test_the_cli_sets_a_channels_app_credentials(live):
    app, url = live
    with app.app_context():
        bare_channel(db.session, "lazada", "Lazada chính", url)
    runner = app.test_cli_runner()
    creds = SANDBOXES["lazada"][0]
    set_ = runner.invoke(args=["channels", "credentials", "set", "Lazada chính", f"credentials.app_key={creds['app_key']}",
                               "--secret", "credentials.app_secret"], input=creds["app_secret"] + "\n")
    assert set_.exit_code == 0 and "Saved: credentials.app_key, credentials.app_secret" in set_.output
    shown = runner.invoke(args=["channels", "credentials", "show", "Lazada chính"])
    assert creds["app_key"] in shown.output and creds["app_secret"] not in shown.output
    tested = runner.invoke(args=["channels", "test", "Lazada chính"])
    assert tested.exit_code == 1 and "no shop is connected" in tested.output
    assert "Lazada chính" in runner.invoke(args=["channels", "list"]).output
    with app.app_context():
        stored = db.session.scalar(sa.select(Channel)).credentials
        assert stored == {"app_key": creds["app_key"], "app_secret": creds["app_secret"]}
    assert json.dumps(stored).count(creds["app_secret"]) == 1
