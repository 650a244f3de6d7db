"""Messenger and Zalo OA clients against their sandboxes over real HTTP on loopback.

A person writes to the shop (the sandbox posts a signed webhook, as the platform would); the
webhook here checks the signature on the raw bytes with the client module's functions and reads the
message; the shop answers through the client; the sandbox shows what the person received. Forged
or foreign webhooks, the reply windows, refused tokens and the platforms' failures are each
checked for what the shop would notice: a webhook refused, a reply sent or a typed error.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import flask
import httpx
import pytest

from app.integrations.base import AuthError, PermanentError, RetryableError
from app.integrations.chat import messenger, zalo
from app.integrations.chat.common import OutsideReplyWindow
from app.sandbox import messenger as fb_sandbox
from app.sandbox import zalo as zalo_sandbox
from tests.support.live_server import serve

FB = fb_sandbox.DEMO_CREDENTIALS
ZL = zalo_sandbox.DEMO_CREDENTIALS
inbox: dict[str, list] = {"messenger": [], "zalo": []}


def make_app():
    app = flask.Flask(__name__)
    app.register_blueprint(fb_sandbox.create_blueprint(webhook_url="/webhooks/messenger"),
                           url_prefix="/sandbox/messenger")
    app.register_blueprint(zalo_sandbox.create_blueprint(webhook_url="/webhooks/zalo"), url_prefix="/sandbox/zalo")

    @app.get("/webhooks/messenger")
    def messenger_verify():
        challenge = messenger.verify_subscription(flask.request.args, FB["verify_token"])
        return (challenge, 200) if challenge is not None else ("", 403)

    @app.post("/webhooks/messenger")
    def messenger_webhook():
        raw = flask.request.get_data()
        if not messenger.verify_signature(raw, flask.request.headers.get("X-Hub-Signature-256"), FB["app_secret"]):
            return "", 401
        inbox["messenger"].extend(messenger.parse_webhook(raw))
        return "EVENT_RECEIVED"

    @app.post("/webhooks/zalo")
    def zalo_webhook():
        raw = flask.request.get_data()
        if not zalo.verify_signature(raw, flask.request.headers.get("X-ZEvent-Signature"), ZL["oa_secret_key"],
                                     app_id=ZL["app_id"]):
            return "", 401
        inbox["zalo"].extend(zalo.parse_webhook(raw))
        return ""
    return app


@pytest.fixture(scope="module")
def host():
    with serve(make_app()) as base:
        yield base


@pytest.fixture(autouse=True)
def fresh(host):
    inbox["messenger"].clear()
    inbox["zalo"].clear()
    yield
    for provider in ("messenger", "zalo"):
        httpx.post(f"{host}/sandbox/{provider}/_control/reset", json={"state": True})


def person_writes(host, provider, **body) -> dict:
    answer = httpx.post(f"{host}/sandbox/{provider}/_control/person_message", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def sent_to(host, provider) -> list[dict]:
    return httpx.get(f"{host}/sandbox/{provider}/_control/sent").json()["sent"]


def fb_client(host, **kw) -> messenger.MessengerClient:
    return messenger.MessengerClient(host + "/sandbox/messenger", page_access_token=kw.pop("token", FB["page_access_token"]),
                                     **kw)


def zalo_client(host, **kw) -> zalo.ZaloOAClient:
    return zalo.ZaloOAClient(host + "/sandbox/zalo", access_token=kw.pop("token", ZL["access_token"]), **kw)


# -- Messenger -------------------------------------------------------------------------------------
def test_messenger_message_in_reply_out(host):
    answer = person_writes(host, "messenger", psid="6001", text="áo thun basic trắng size M còn không ạ")
    assert answer["webhook"]["status"] == 200
    [message] = inbox["messenger"]
    assert (message.sender_id, message.text, message.message_id) == ("6001", "áo thun basic trắng size M còn không ạ",
                                                                     answer["mid"])
    assert message.recipient_id == FB["page_id"]
    sent = fb_client(host).send_text("6001", "Dạ mẫu này còn 12 cái, giá 199.000đ ạ.")
    assert sent.recipient_id == "6001" and sent.message_id
    [delivered] = sent_to(host, "messenger")
    assert delivered["text"] == "Dạ mẫu này còn 12 cái, giá 199.000đ ạ." and delivered["messaging_type"] == "RESPONSE"


def test_messenger_forged_or_unsigned_webhook_is_refused(host):
    assert person_writes(host, "messenger", psid="6002", text="hi", sign="bad")["webhook"]["status"] == 401
    assert person_writes(host, "messenger", psid="6002", text="hi", sign="none")["webhook"]["status"] == 401
    assert inbox["messenger"] == []


def test_messenger_redelivery_carries_the_same_message_id(host):
    first = person_writes(host, "messenger", psid="6003", text="chốt đơn", mid="m_same")
    again = person_writes(host, "messenger", psid="6003", text="chốt đơn", mid="m_same")
    assert first["webhook"]["status"] == again["webhook"]["status"] == 200
    assert [m.message_id for m in inbox["messenger"]] == ["m_same", "m_same"]  # the receiver deduplicates on it


def test_messenger_subscription_handshake(host):
    ok = httpx.post(f"{host}/sandbox/messenger/_control/verify", json={}).json()
    assert ok["verified"] is True
    wrong = httpx.post(f"{host}/sandbox/messenger/_control/verify", json={"verify_token": "guess"}).json()
    assert wrong == {"verified": False, "status": 403}


def test_messenger_reply_window(host):
    person_writes(host, "messenger", psid="6004", text="còn size L không", age_seconds=25 * 3600)
    with pytest.raises(OutsideReplyWindow) as refused:
        fb_client(host).send_text("6004", "Dạ còn ạ")
    assert "outside of allowed window" in refused.value.message
    sent = fb_client(host).send_text("6004", "Chào chị, nhân viên shop trả lời ạ", human_agent=True)
    assert sent.message_id
    assert sent_to(host, "messenger")[-1]["tag"] == "HUMAN_AGENT"
    now = datetime.now(timezone.utc)
    assert messenger.can_reply(now - timedelta(hours=23), now)
    assert not messenger.can_reply(now - timedelta(hours=25), now)
    assert messenger.can_reply(now - timedelta(hours=25), now, human_agent=True)
    assert not messenger.can_reply(None, now)


def test_messenger_refusals_are_typed(host):
    person_writes(host, "messenger", psid="6005", text="hello")
    with pytest.raises(AuthError):
        fb_client(host, token="EAA-wrong").send_text("6005", "hi")
    with pytest.raises(PermanentError) as unknown:
        fb_client(host).send_text("9999", "hi")
    assert not isinstance(unknown.value, (AuthError, RetryableError)) and "No matching user" in unknown.value.message
    with pytest.raises(PermanentError):
        fb_client(host).send_text("6005", "x" * 2001)
    assert sent_to(host, "messenger") == []


@pytest.mark.parametrize("mode", ["5xx", "429", "malformed"])
def test_messenger_platform_failures_are_retryable(host, mode):
    person_writes(host, "messenger", psid="6006", text="hello")
    httpx.post(f"{host}/sandbox/messenger/_control/faults", json={"mode": mode})
    with pytest.raises(RetryableError):
        fb_client(host).send_text("6006", "Dạ shop chào bạn")
    assert fb_client(host).send_text("6006", "Dạ shop chào bạn").message_id  # the next try goes through


def test_messenger_timeout_is_retryable(host):
    person_writes(host, "messenger", psid="6007", text="hello")
    httpx.post(f"{host}/sandbox/messenger/_control/faults", json={"mode": "timeout", "delay": 1.5})
    with pytest.raises(RetryableError):
        fb_client(host, timeout=0.5).send_text("6007", "Dạ")


# -- Zalo OA ---------------------------------------------------------------------------------------
def test_zalo_message_in_reply_out(host):
    answer = person_writes(host, "zalo", user_id="7001", text="ship về Đà Nẵng mấy ngày shop")
    assert answer["webhook"]["status"] == 200 and answer["webhook"]["seconds"] < 2  # Zalo waits 2 s at most
    [message] = inbox["zalo"]
    assert (message.sender_id, message.recipient_id, message.text, message.message_id) == \
        ("7001", ZL["oa_id"], "ship về Đà Nẵng mấy ngày shop", answer["msg_id"])
    sent = zalo_client(host).send_text("7001", "Dạ ship về Đà Nẵng khoảng 2-3 ngày ạ.")
    assert sent.recipient_id == "7001" and sent.message_id
    assert sent_to(host, "zalo")[0]["text"] == "Dạ ship về Đà Nẵng khoảng 2-3 ngày ạ."


def test_zalo_forged_webhook_is_refused(host):
    assert person_writes(host, "zalo", user_id="7002", text="hi", sign="bad")["webhook"]["status"] == 401
    assert person_writes(host, "zalo", user_id="7002", text="hi", sign="none")["webhook"]["status"] == 401
    assert inbox["zalo"] == []


def test_zalo_signature_is_over_the_exact_bytes():
    raw = b'{"app_id":"42","timestamp":"1700000000000","event_name":"user_send_text"}'
    header = zalo.signature("42", raw, "1700000000000", "key")
    assert zalo.verify_signature(raw, header, "key") and zalo.verify_signature(raw, header[4:], "key")
    assert not zalo.verify_signature(raw.replace(b"user_send_text", b"user_send_image"), header, "key")
    assert not zalo.verify_signature(raw, header, "key", app_id="43")  # another app's notification
    assert not zalo.verify_signature(b"not json", header, "key")


def test_zalo_reply_window(host):
    person_writes(host, "zalo", user_id="7003", text="còn hàng không", age_seconds=49 * 3600)
    with pytest.raises(OutsideReplyWindow):
        zalo_client(host).send_text("7003", "Dạ còn ạ")
    person_writes(host, "zalo", user_id="7003", text="shop ơi", age_seconds=47 * 3600)
    assert zalo_client(host).send_text("7003", "Dạ shop đây ạ").message_id
    now = datetime.now(timezone.utc)
    assert zalo.can_reply(now - timedelta(hours=47), now)
    assert not zalo.can_reply(now - timedelta(hours=49), now)


def test_zalo_refusals_are_typed(host):
    person_writes(host, "zalo", user_id="7004", text="hello")
    with pytest.raises(AuthError):
        zalo_client(host, token="wrong").send_text("7004", "hi")
    httpx.post(f"{host}/sandbox/zalo/_control/token", json={"expire": True})
    with pytest.raises(AuthError) as expired:
        zalo_client(host).send_text("7004", "hi")
    assert expired.value.code == "-124"
    httpx.post(f"{host}/sandbox/zalo/_control/token", json={"expire": False})
    with pytest.raises(PermanentError) as stranger:
        zalo_client(host).send_text("8888", "hi")
    assert stranger.value.code == "-213" and not isinstance(stranger.value, RetryableError)
    assert sent_to(host, "zalo") == []


@pytest.mark.parametrize("mode", ["5xx", "429", "malformed"])
def test_zalo_platform_failures_are_retryable(host, mode):
    person_writes(host, "zalo", user_id="7005", text="hello")
    httpx.post(f"{host}/sandbox/zalo/_control/faults", json={"mode": mode})
    with pytest.raises(RetryableError):
        zalo_client(host).send_text("7005", "Dạ shop chào bạn")
    assert zalo_client(host).send_text("7005", "Dạ shop chào bạn").message_id
