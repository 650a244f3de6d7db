"""Zalo Official Account sandbox: customer-service messages, and a person writing to the OA.

Mount with ``url_prefix="/sandbox/zalo"``; the client's ``base_url`` is then
``http://host:port/sandbox/zalo``. ``POST /v3.0/oa/message/cs`` is checked as the OA API does and
always answered with HTTP 200 and ``{"error", "message", "data"}``: the ``access_token`` header
(-216 when missing or wrong, -124 once expired by ``/_control/token``), a JSON body with
``recipient.user_id`` and ``message.text`` of 1–2,000 characters (-201), a person who follows the OA
(-213), and the window: 48 hours since the person's last interaction (-230).

Controls (not OA APIs), under ``/_control``:

- ``POST /_control/person_message`` ``{"user_id", "text", "age_seconds": 0, "url": optional, "sign":
  "good"|"bad"|"none", "msg_id": optional}`` → a ``user_send_text`` event posted to the webhook
  with ``X-ZEvent-Signature: mac=<sha256(app_id + body + timestamp + OA secret key)>``; answers
  what the webhook said and how long it took (Zalo wants an answer within 2 s).
- ``POST /_control/token`` ``{"expire": true}``; ``GET /_control/sent``; ``/_control/faults``,
  ``/_control/reset``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from flask import Blueprint, jsonify, request

from app.sandbox.chat_people import ChatState, deliver_person_message
from app.sandbox.faults import FaultInjector, register_control
from app.sandbox.pushes import target

DEMO_CREDENTIALS = {
    "app_id": "3125798810224356789",
    "oa_id": "1890012345678901234",
    "oa_secret_key": "ZaloOASandboxSecretKey0rderHub",
    "access_token": "zalo-oa-sandbox-access-token-0rderhub-demo",
}
WINDOW_SECONDS = 48 * 3600


def _answer(error: int, message: str, data: dict | None = None):
    body = {"error": error, "message": message}
    if data is not None:
        body["data"] = data
    return jsonify(body)


def create_blueprint(*, webhook_url: str | None = None) -> Blueprint:
    bp = Blueprint("sandbox_zalo", __name__)
    creds = dict(DEMO_CREDENTIALS)
    state = ChatState()
    state.token_expired = False
    faults = FaultInjector()
    bp.sandbox_state = state

    @bp.post("/v3.0/oa/message/cs")
    def send_cs():
        fault = faults.take(request.path)
        early = faults.before(fault, {"error": -32 if fault and fault.mode == "429" else -1,
                                      "message": "Request limit exceeded" if fault and fault.mode == "429"
                                      else "Internal error, please try again"})
        if early is not None:
            return early
        response = _send()
        faults.after(fault)
        return response

    def _send():
        # Werkzeug and gunicorn drop header names with "_": read the dashed copy the client also sends
        token = request.headers.get("access_token") or request.headers.get("Access-Token", "")
        if not hmac.compare_digest(token, creds["access_token"]):
            return _answer(-216, "Access token is invalid")
        if getattr(state, "token_expired", False):
            return _answer(-124, "Access token has expired")
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            return _answer(-201, "Parameters are invalid: body is not JSON")
        user_id = str(((body.get("recipient") or {}).get("user_id")) or "")
        text = (body.get("message") or {}).get("text")
        if not user_id:
            return _answer(-201, "Parameters are invalid: recipient.user_id is required")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return _answer(-201, "Parameters are invalid: message.text must have 1 to 2000 characters")
        age = state.seconds_since(user_id)
        if age is None:
            return _answer(-213, "User has not followed the OA")
        if age > WINDOW_SECONDS:
            return _answer(-230, "User has not interacted with the OA in the last 48 hours")
        message_id = state.record_sent(user_id, text)
        return _answer(0, "Success", {"message_id": message_id, "user_id": user_id})

    @bp.post("/_control/person_message")
    def person_message():
        data = request.get_json(silent=True) or {}
        user_id = str(data.get("user_id") or "")
        if not user_id or not isinstance(data.get("text"), str):
            return jsonify({"error": "user_id and text are required"}), 400
        at = state.person_wrote(user_id, data.get("age_seconds", 0))
        msg_id = data.get("msg_id") or secrets.token_hex(10)
        timestamp = str(int(at * 1000))
        event = {"app_id": creds["app_id"], "user_id_by_app": "u" + hashlib.sha1(user_id.encode()).hexdigest()[:15],
                 "event_name": "user_send_text", "timestamp": timestamp, "sender": {"id": user_id},
                 "recipient": {"id": creds["oa_id"]}, "message": {"text": data["text"], "msg_id": msg_id}}
        raw = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {}
        sign = data.get("sign", "good")
        if sign != "none":
            secret = creds["oa_secret_key"] if sign == "good" else "not-the-oa-secret"
            mac = hashlib.sha256(creds["app_id"].encode() + raw + timestamp.encode() + secret.encode()).hexdigest()
            headers["X-ZEvent-Signature"] = "mac=" + mac
        url = target(data.get("url"), webhook_url, request.host_url)
        result = deliver_person_message(state, url, raw, headers, {"user_id": user_id, "msg_id": msg_id, "text": data["text"]})
        return jsonify({"msg_id": msg_id, "webhook": result})

    @bp.post("/_control/token")
    def token():
        state.token_expired = bool((request.get_json(silent=True) or {}).get("expire", True))
        return jsonify({"expired": state.token_expired})

    @bp.get("/_control/sent")
    def sent():
        with state.lock:
            return jsonify({"sent": list(state.sent), "received": list(state.received)})

    def reset():
        state.reset()
        state.token_expired = False

    register_control(bp, faults, reset_state=reset)
    return bp
