"""Anonymous junk at every webhook and public endpoint: never a 5xx, and every refusal recorded.

The five webhooks (Shopee, Lazada, TikTok Shop, GHN, Viettel Post) and the storefront take
malformed bodies (not JSON, JSON of the wrong shape, 100,000 levels deep, over the size limit),
odd headers (non-ASCII, very long, wrong signatures) — each both unsigned and correctly signed,
so the parsing behind the signature check is reached too. Every answer must be below 500, and
every refusal (4xx) must have left a record saying why: a WebhookEvent for the marketplaces, an
inbound integration log entry for the carriers and the storefront. The login endpoints, the
health check and the channel-connect callback are public too: no 5xx there either.
"""
from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.models import (Channel, IntegrationLog, Platform, ProviderAccount, ProviderKind,
                        WebhookEvent)
from tests.support.live_server import serve
from tests.support.web_backends import any_web_app  # noqa: F401

SECRETS = {"shopee": {"partner_id": 1, "partner_key": "shopee-partner-key"},
           "lazada": {"app_key": "100", "app_secret": "lazada-app-secret"},
           "tiktok": {"app_key": "tt-key", "app_secret": "tiktok-app-secret"},
           "website": {"api_secret": "website-secret"}}
VTP_TOKEN = "vtp-shared-token"
MARKETPLACES = ("shopee", "lazada", "tiktok")
CARRIERS = ("ghn", "viettelpost")
DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_SMALL = b"[" * 20_000 + b"]" * 20_000  # under the carriers' 64 KB
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000

BODIES = [b"", b"[]", b"{}", b"null", b"1", b'"text"', b"[1, 2", b"\xff\xfe\x00", b"\x00" * 10,
          b'{"message_type":[]}', b'{"message_type":{}}', b'{"code":[]}', b'{"type":{"a":1}}',
          b'{"data":[]}', b'{"data":"x","shop_id":[1]}', b'{"timestamp":"soon"}',
          b'{"timestamp":1e400}', b'{"timestamp":' + b"9" * 5000 + b"}", b'{"seller_id":{}}',
          b'{"OrderCode":[],"Status":{}}', b'{"OrderCode":"X1","Status":"delivered","Time":[]}',
          b'{"TOKEN":"\\ud800"}', b'{"DATA":[],"TOKEN":"' + VTP_TOKEN.encode() + b'"}',
          b'{"DATA":{"ORDER_NUMBER":[],"ORDER_STATUS":{}},"TOKEN":"' + VTP_TOKEN.encode() + b'"}',
          b'{"order_id":[],"buyer":"x","lines":{}}', b'{"lines":[' + b"{}," * 300 + b"{}]}",
          DEEP, DEEP_SMALL, DEEP_OBJECT, b'{"a":"' + b"[" * 300_000 + b'"}', b"x" * (2 * 1024 * 1024)]
ODD_HEADERS = [{"Content-Type": "application/json; charset=latin-1"}]
SIGNATURE_HEADERS = {  # what each endpoint reads its signature or token from, made odd
    "marketplace": [{"Authorization": "é" * 64}, {"Authorization": "0" * 8000}],
    "viettelpost": [{"Token": "é"}, {"Token": "x" * 8000}],
    "ghn": [],
    "storefront": [{"X-Signature": "sha256=é"}, {"X-Channel-Id": "²"}, {"X-Channel-Id": "9" * 30},
                   {"X-Channel-Id": "-1"}]}


def _shopee_sign(base: str, path: str, body: bytes) -> str:
    key = SECRETS["shopee"]["partner_key"].encode()
    return hmac.new(key, f"{base}{path}|".encode() + body, hashlib.sha256).hexdigest()


def _app_sign(platform: str, body: bytes) -> str:
    creds = SECRETS[platform]
    return hmac.new(creds["app_secret"].encode(), creds["app_key"].encode() + body,
                    hashlib.sha256).hexdigest()


def _signed(endpoint: str, base: str, body: bytes) -> dict:
    """The headers a caller knowing the secret would send with ``body``."""
    if endpoint == "shopee":
        return {"Authorization": _shopee_sign(base, "/webhooks/shopee", body)}
    if endpoint in ("lazada", "tiktok"):
        return {"Authorization": _app_sign(endpoint, body)}
    if endpoint == "storefront":
        return {"X-Signature": hmac.new(SECRETS["website"]["api_secret"].encode(), body,
                                        hashlib.sha256).hexdigest()}
    if endpoint == "viettelpost":
        return {"Token": VTP_TOKEN}
    return {}


def _path(endpoint: str) -> str:
    return "/api/v1/storefront/orders" if endpoint == "storefront" else f"/webhooks/{endpoint}"


@pytest.fixture
def site(any_web_app):
    """The app on a loopback port with a channel on each marketplace and the website, and a
    Viettel Post account: every webhook has a secret to check against."""
    app = any_web_app
    with app.app_context():
        for platform in (*MARKETPLACES, "website"):
            db.session.add(Channel(platform=Platform(platform), name=f"{platform} shop",
                                   shop_id=f"{platform}-shop", credentials=SECRETS[platform]))
        db.session.add(ProviderAccount(kind=ProviderKind.CARRIER, provider="viettelpost",
                                       name="Viettel Post", base_url="http://127.0.0.1:9",
                                       credentials={"webhook_token": VTP_TOKEN}))
        db.session.commit()
        website = db.session.scalar(sa.select(Channel.id).where(Channel.platform == Platform.WEBSITE))
    with serve(app) as base:
        yield app, base, website


def _records(app, endpoint: str) -> int:
    with app.app_context():
        if endpoint in MARKETPLACES:
            return db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEvent).where(
                WebhookEvent.platform == endpoint, WebhookEvent.reason.is_not(None)))
        system = "website" if endpoint == "storefront" else endpoint
        return db.session.scalar(sa.select(sa.func.count()).select_from(IntegrationLog).where(
            IntegrationLog.direction == "in", IntegrationLog.system == system,
            IntegrationLog.status >= 400, IntegrationLog.error.is_not(None)))


def _throw(client: httpx.Client, app, base: str, website: int, endpoint: str, body: bytes,
           headers: dict, failures: list) -> int:
    if endpoint == "storefront":
        headers = {"X-Channel-Id": str(website), **headers}
    before = _records(app, endpoint)
    answer = client.post(f"{base}{_path(endpoint)}", content=body,
                         headers={k: v.encode("utf-8") for k, v in headers.items()})
    what = f"{endpoint} {body[:40]!r}… ({len(body)} bytes) {list(headers)}"
    if answer.status_code >= 500:
        failures.append(f"{answer.status_code} for {what}")
    elif answer.status_code >= 400 and _records(app, endpoint) != before + 1:
        failures.append(f"{answer.status_code} not recorded for {what}")
    return answer.status_code


ENDPOINTS = (*MARKETPLACES, *CARRIERS, "storefront")


def test_junk_at_every_webhook_gets_a_recorded_4xx_never_a_5xx(site):
    app, base, website = site
    failures: list[str] = []
    statuses = {}
    with httpx.Client(timeout=60) as client:
        for endpoint in ENDPOINTS:
            for body in BODIES:
                odd = ODD_HEADERS + SIGNATURE_HEADERS[
                    "marketplace" if endpoint in MARKETPLACES else endpoint]
                odd = odd if len(body) < 4096 else odd[:1]  # big bodies: fewer variations
                for headers in (*odd, _signed(endpoint, base, body)):
                    status = _throw(client, app, base, website, endpoint, body, headers, failures)
                    statuses.setdefault(endpoint, set()).add(status)
    assert not failures, "\n".join(failures[:40])
    # The checks ran in order: some junk got past the signature to the body checks.
    for endpoint in ("shopee", "lazada", "tiktok", "storefront"):
        assert {400, 401, 413} <= statuses[endpoint] or {401, 413, 422} <= statuses[endpoint], \
            (endpoint, statuses[endpoint])


def test_the_reported_cases_answer_400_401_413_with_the_reason(site):
    app, base, _ = site
    with httpx.Client(timeout=60) as client:
        signed = b'{"message_type":[]}'
        lazada = client.post(f"{base}/webhooks/lazada", content=signed,
                             headers={"Authorization": _app_sign("lazada", signed)})
        assert lazada.status_code == 400 and lazada.content == b""
        unsigned = client.post(f"{base}/webhooks/lazada", content=signed)
        assert unsigned.status_code == 401
        shopee = client.post(f"{base}/webhooks/shopee", content=b"{}",
                             headers={"Authorization": "é".encode()})
        assert shopee.status_code == 401
        for platform in MARKETPLACES:
            assert client.post(f"{base}/webhooks/{platform}", content=b"[]",
                               headers={"Authorization": "00"}).status_code == 401
            deep = client.post(f"{base}/webhooks/{platform}", content=DEEP,
                               headers=_signed(platform, base, DEEP))
            assert deep.status_code == 400, platform
        for carrier in CARRIERS:
            assert client.post(f"{base}/webhooks/{carrier}", content=DEEP).status_code == 413
            assert client.post(f"{base}/webhooks/{carrier}", content=DEEP_SMALL).status_code == 400
        too_big = client.post(f"{base}/webhooks/ghn", content=b"{" * (65 * 1024))
        assert too_big.status_code == 413
    with app.app_context():
        reasons = [e.reason for e in db.session.scalars(
            sa.select(WebhookEvent).where(WebhookEvent.platform == "lazada").order_by(WebhookEvent.id))]
        assert "message_type is missing or not a whole number" in reasons[0]
        assert "signature does not match" in reasons[1]
        deep_reason = db.session.scalar(sa.select(WebhookEvent.reason).where(
            WebhookEvent.platform == "tiktok", WebhookEvent.status == "rejected")
            .order_by(WebhookEvent.id.desc()))
        assert "deeper than 32 levels" in deep_reason
        ghn = db.session.scalars(sa.select(IntegrationLog).where(
            IntegrationLog.system == "ghn").order_by(IntegrationLog.id)).all()
        assert [entry.status for entry in ghn] == [413, 400, 413]
        assert "64 KB" in ghn[0].error and "deeper than 32 levels" in ghn[1].error


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                       lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.sampled_from(
                           ["code", "data", "shop_id", "timestamp", "message_type", "type",
                            "seller_id", "trade_order_id", "ordersn", "OrderCode", "Status",
                            "TOKEN", "DATA", "ORDER_NUMBER", "ORDER_STATUS", "order_id", "buyer",
                            "lines", "sku", "quantity"]), inner, max_size=5), max_leaves=20)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(endpoint=st.sampled_from(ENDPOINTS),
       body=st.one_of(st.binary(max_size=300), JSONISH.map(lambda v: json.dumps(v).encode())),
       header=st.text(st.characters(min_codepoint=32, exclude_categories=("Cc", "Cs")),
                      max_size=40), sign=st.booleans())
def test_generated_bodies_and_headers_never_get_a_5xx_or_go_unrecorded(site, endpoint, body,
                                                                      header, sign):
    app, base, website = site
    headers = _signed(endpoint, base, body) if sign else {"Authorization": header,
                                                          "X-Signature": header, "Token": header}
    if endpoint == "viettelpost" and sign and body.startswith(b"{"):
        body = b'{"TOKEN":"' + VTP_TOKEN.encode() + b'",' + body[1:].lstrip(b"}").lstrip() \
            if body != b"{}" else b'{"TOKEN":"' + VTP_TOKEN.encode() + b'"}'
    failures: list[str] = []
    with httpx.Client(timeout=30) as client:
        _throw(client, app, base, website, endpoint, body, headers, failures)
    assert not failures, failures


def test_public_pages_take_junk_without_a_5xx(site):
    _, base, _ = site
    with httpx.Client(timeout=30) as client:
        answers = [client.get(f"{base}/health"),
                   client.get(f"{base}/channels/callback", params={"code": "é", "state": "[]"}),
                   client.post(f"{base}/login/", content=DEEP),
                   client.post(f"{base}/login/", data={"username": "é" * 300, "password": "\x00"}),
                   client.post(f"{base}/api/v1/security/login", content=DEEP,
                               headers={"Content-Type": "application/json"}),
                   client.post(f"{base}/api/v1/security/login", json=[]),
                   client.post(f"{base}/api/v1/security/login",
                               json={"username": ["x"], "password": {}, "provider": "db"}),
                   client.post(f"{base}/api/v1/security/refresh",
                               headers={"Authorization": "Bearer é".encode()})]
    assert all(a.status_code < 500 for a in answers), [(a.request.url, a.status_code)
                                                        for a in answers]
