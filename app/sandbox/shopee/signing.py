"""How the Shopee sandbox checks a request, written from Shopee's guide and independent of the
client: the sandbox recomputes the sign from what it actually received."""
from __future__ import annotations

import hashlib
import hmac
import time
import uuid

from flask import jsonify

TIMESTAMP_WINDOW = 300  # seconds; Shopee refuses a timestamp older than 5 minutes


class ShopeeRefusal(Exception):
    """A request Shopee would refuse: carries the error code, message and HTTP status."""

    def __init__(self, error: str, message: str, status: int = 400):
        super().__init__(message)
        self.error, self.message, self.status = error, message, status

    def response(self):
        return envelope_error(self.error, self.message, self.status)


def envelope_error(error: str, message: str, status: int = 400):
    resp = jsonify({"error": error, "message": message, "request_id": uuid.uuid4().hex})
    resp.status_code = status
    return resp


def envelope_ok(response: dict | None = None, **flat):
    body = {"error": "", "message": "", "request_id": uuid.uuid4().hex}
    if response is not None:
        body["response"] = response
    body.update(flat)
    return jsonify(body)


def expected_sign(partner_key: str, partner_id: str, api_path: str, timestamp: str,
                  access_token: str | None = None, shop_id: str | None = None) -> str:
    text = partner_id + api_path + timestamp
    if access_token is not None:
        text += access_token + (shop_id or "")
    return hmac.new(partner_key.encode(), text.encode(), hashlib.sha256).hexdigest()


def check_common(args, api_path: str, partners: dict[str, str], shop_api: bool) -> dict:
    """Check partner_id / timestamp / sign (and token presence for shop APIs) from the query.

    Returns the parsed common parameters; raises ShopeeRefusal with Shopee's own wording.
    """
    partner_id = args.get("partner_id")
    if not partner_id:
        raise ShopeeRefusal("error_param", "There is no partner_id in query.")
    sign = args.get("sign")
    if not sign:
        raise ShopeeRefusal("error_param", "There is no sign in query.")
    timestamp = args.get("timestamp")
    if not timestamp:
        raise ShopeeRefusal("error_param", "There is no timestamp in query.")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TIMESTAMP_WINDOW:
        raise ShopeeRefusal("error_param", "Invalid timestamp.")
    partner_key = partners.get(partner_id)
    if partner_key is None:
        raise ShopeeRefusal("error_param", "Invalid partner_id.", 403)
    access_token = shop_id = None
    if shop_api:
        access_token = args.get("access_token")
        if not access_token:
            raise ShopeeRefusal("error_param", "There is no access_token in query.")
        shop_id = args.get("shop_id")
        if not shop_id:
            raise ShopeeRefusal("error_param", "There is no shop_id in query.")
    expected = expected_sign(partner_key, partner_id, api_path, timestamp, access_token, shop_id)
    # Compared as sent: Shopee wants lowercase hex, an uppercase sign is a wrong sign.
    if not hmac.compare_digest(expected, sign):
        raise ShopeeRefusal("error_sign", "Wrong sign.", 403)
    return {"partner_id": partner_id, "access_token": access_token, "shop_id": shop_id}


def push_signature(partner_key: str, url: str, body: bytes) -> str:
    return hmac.new(partner_key.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()
