"""Facebook Messenger Platform sandbox: the Send API, and a person writing to the shop's Page.

Mount with ``url_prefix="/sandbox/messenger"``; the client's ``base_url`` is then
``http://host:port/sandbox/messenger``. The Send API (``POST /<version>/me/messages``) is checked as
Graph does: the page access token in the query (code 190 otherwise), a JSON body with
``recipient.id``, ``message.text`` (1–2,000 characters) and a ``messaging_type`` of RESPONSE, UPDATE
or MESSAGE_TAG (a tag then required) (code 100), a person who has written to the Page (code 100,
subcode 2018001), and the reply window: 24 h after the person's last message, 7 days with the
HUMAN_AGENT tag (code 10, subcode 2018278). Errors come as ``{"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}`` with HTTP 400 (403 for the window).

Controls (not Graph APIs), under ``/_control``:

- ``POST /_control/person_message`` ``{"psid", "text", "age_seconds": 0, "url": optional, "sign":
  "good"|"bad"|"none", "mid": optional}`` → the Page receives the message (its window opens
  ``age_seconds`` ago) and a webhook event signed ``X-Hub-Signature-256`` with the app secret is
  posted to ``url`` (a path means this same server; default: the configured webhook URL); answers
  what the webhook said. Sending the same ``mid`` twice is how a test makes Meta redeliver.
- ``POST /_control/verify`` ``{"url": optional, "verify_token": optional}`` → the subscription
  handshake (GET hub.mode/hub.verify_token/hub.challenge) against the webhook; says whether the
  challenge came back.
- ``GET /_control/sent`` → messages the Page sent; ``POST /_control/faults``, ``/_control/reset``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets

import httpx
from flask import Blueprint, jsonify, request

from app.sandbox.chat_people import ChatState, deliver_person_message
from app.sandbox.faults import FaultInjector, register_control
from app.sandbox.pushes import target

DEMO_CREDENTIALS = {
    "page_id": "104857600012345",
    "app_id": "880011223344556",
    "app_secret": "5f1c2a9be07d4c3a8b6e1f0d2c9a7b34",
    "page_access_token": "EAAMsandboxPageToken0rderHubDemo1234567890",
    "verify_token": "orderhub-messenger-verify",
}
WINDOW_SECONDS = 24 * 3600
HUMAN_AGENT_SECONDS = 7 * 24 * 3600


def _error(status: int, code: int, message: str, subcode: int | None = None, kind: str = "OAuthException"):
    body = {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": secrets.token_urlsafe(8)}}
    if subcode is not None:
        body["error"]["error_subcode"] = subcode
    return jsonify(body), status


def create_blueprint(*, webhook_url: str | None = None) -> Blueprint:
    bp = Blueprint("sandbox_messenger", __name__)
    creds = dict(DEMO_CREDENTIALS)
    state = ChatState()
    faults = FaultInjector()
    bp.sandbox_state = state

    @bp.post("/<version>/me/messages")
    def send(version):
        fault = faults.take(request.path)
        early = faults.before(fault, {"error": {"message": "An unexpected error has occurred. Please retry your "
                                                "request later.", "type": "OAuthException", "code": 613
                                                if fault and fault.mode == "429" else 2, "is_transient": True}})
        if early is not None:
            return early
        response = _send(version)
        faults.after(fault)
        return response

    def _send(version):
        if not version.startswith("v"):
            return _error(400, 2500, f"Unknown path components: /{version}", kind="OAuthException")
        if not hmac.compare_digest(request.args.get("access_token", ""), creds["page_access_token"]):
            return _error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            return _error(400, 100, "(#100) The parameter body is not valid JSON", kind="GraphMethodException")
        recipient = str(((body.get("recipient") or {}).get("id")) or "")
        text = (body.get("message") or {}).get("text")
        kind = body.get("messaging_type")
        if not recipient:
            return _error(400, 100, "(#100) The parameter recipient is required", kind="GraphMethodException")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return _error(400, 100, "(#100) Param message[text] must be a UTF-8 string of 1 to 2000 characters",
                          kind="GraphMethodException")
        if kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG") or (kind == "MESSAGE_TAG" and not body.get("tag")):
            return _error(400, 100, "(#100) messaging_type must be RESPONSE, UPDATE or MESSAGE_TAG (with a tag)",
                          kind="GraphMethodException")
        age = state.seconds_since(recipient)
        if age is None:
            return _error(400, 100, "(#100) No matching user found", subcode=2018001)
        allowed = HUMAN_AGENT_SECONDS if kind == "MESSAGE_TAG" and body.get("tag") == "HUMAN_AGENT" else WINDOW_SECONDS
        if age > allowed:
            return _error(403, 10, "(#10) This message is sent outside of allowed window.", subcode=2018278)
        mid = state.record_sent(recipient, text, messaging_type=kind, tag=body.get("tag"))
        return jsonify({"recipient_id": recipient, "message_id": mid})

    @bp.post("/_control/person_message")
    def person_message():
        data = request.get_json(silent=True) or {}
        psid = str(data.get("psid") or "")
        if not psid or not isinstance(data.get("text"), str):
            return jsonify({"error": "psid and text are required"}), 400
        at = state.person_wrote(psid, data.get("age_seconds", 0))
        mid = data.get("mid") or "m_" + secrets.token_urlsafe(16)
        millis = int(at * 1000)
        event = {"object": "page", "entry": [{"id": creds["page_id"], "time": millis, "messaging": [{
            "sender": {"id": psid}, "recipient": {"id": creds["page_id"]}, "timestamp": millis,
            "message": {"mid": mid, "text": data["text"]}}]}]}
        raw = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {}
        sign = data.get("sign", "good")
        if sign != "none":
            secret = creds["app_secret"] if sign == "good" else "not-the-app-secret"
            headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        url = target(data.get("url"), webhook_url, request.host_url)
        result = deliver_person_message(state, url, raw, headers, {"psid": psid, "mid": mid, "text": data["text"]})
        return jsonify({"mid": mid, "webhook": result})

    @bp.post("/_control/verify")
    def verify():
        data = request.get_json(silent=True) or {}
        url = target(data.get("url"), webhook_url, request.host_url)
        if not url:
            return jsonify({"error": "no webhook url"}), 400
        challenge = str(secrets.randbelow(10 ** 10))
        try:
            answer = httpx.get(url, params={"hub.mode": "subscribe", "hub.challenge": challenge,
                                            "hub.verify_token": data.get("verify_token", creds["verify_token"])},
                               timeout=5)
        except httpx.HTTPError as exc:
            return jsonify({"verified": False, "error": str(exc)})
        return jsonify({"verified": answer.status_code == 200 and answer.text == challenge,
                        "status": answer.status_code})

    @bp.get("/_control/sent")
    def sent():
        with state.lock:
            return jsonify({"sent": list(state.sent), "received": list(state.received)})

    register_control(bp, faults, reset_state=state.reset)
    return bp
