"""Lazada seller authorization: the ``/oauth/authorize`` page and ``/auth/token/create|refresh``."""
from __future__ import annotations

import time
from html import escape
from urllib.parse import urlencode, urlsplit

from flask import redirect, request

from app.sandbox.lazada.signing import LazadaRefusal, envelope_ok

PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Lazada Seller Center - Authorize</title></head>
<body style="font-family:sans-serif;max-width:32rem;margin:4rem auto">
<h1 style="color:#0f146d">Lazada Open Platform</h1>
<p>Ứng dụng <b>{app_key}</b> muốn truy cập gian hàng <b>{account}</b> (Vietnam).</p>
<form method="post">
<input type="hidden" name="client_id" value="{app_key}">
<input type="hidden" name="redirect_uri" value="{redirect_uri}">
<input type="hidden" name="state" value="{state}">
<button type="submit" id="authorize" name="decision" value="authorize">Authorize</button>
<button type="submit" id="cancel" name="decision" value="cancel">Cancel</button>
</form></body></html>"""


def register(bp, seller, api) -> None:
    from app.sandbox.lazada import DEMO_CREDENTIALS

    def country_users():
        return [{"country": "vn", "seller_id": str(seller.seller_id), "user_id": str(seller.seller_id + 7),
                 "short_code": DEMO_CREDENTIALS["short_code"]}]

    @bp.get("/oauth/authorize")
    def authorize_page():
        args = request.args
        if args.get("response_type") != "code" or args.get("client_id") != seller.app_key:
            return "Invalid client_id or response_type", 400
        if urlsplit(args.get("redirect_uri", "")).scheme not in ("http", "https"):
            return "Invalid redirect_uri", 400
        return PAGE.format(app_key=escape(seller.app_key), account=DEMO_CREDENTIALS["account"],
                           redirect_uri=escape(args["redirect_uri"]), state=escape(args.get("state", "")))

    @bp.post("/oauth/authorize")
    def authorize_decision():
        form = request.form
        target = form.get("redirect_uri", "")
        if form.get("client_id") != seller.app_key or urlsplit(target).scheme not in ("http", "https"):
            return "Invalid request", 400
        query = {"error": "access_denied"} if form.get("decision") != "authorize" else {"code": seller.issue_code()}
        if form.get("state"):
            query["state"] = form["state"]
        return redirect(target + ("&" if "?" in target else "?") + urlencode(query))

    @bp.post("/rest/auth/token/create")
    @api(seller_api=False)
    def token_create(params):
        with seller.lock:
            expires_at = seller.codes.pop(params.get("code", ""), None)
        if expires_at is None or expires_at < time.time():
            raise LazadaRefusal("InvalidCode", "Invalid authorization code")
        access, refresh = seller.issue_access_token(), seller.issue_refresh_token()
        return envelope_ok(access_token=access, refresh_token=refresh,
                           expires_in=int(seller.access_tokens[access] - time.time()),
                           refresh_expires_in=int(seller.refresh_tokens[refresh] - time.time()),
                           country="vn", account_platform="seller_center",
                           account=DEMO_CREDENTIALS["account"], country_user_info=country_users())

    @bp.post("/rest/auth/token/refresh")
    @api(seller_api=False)
    def token_refresh(params):
        refresh = params.get("refresh_token", "")
        with seller.lock:
            expires_at = seller.refresh_tokens.get(refresh)
        if expires_at is None or expires_at < time.time():
            raise LazadaRefusal("IllegalRefreshToken", "The specified refresh token is invalid or expired")
        access = seller.issue_access_token()
        return envelope_ok(access_token=access, refresh_token=refresh,
                           expires_in=int(seller.access_tokens[access] - time.time()),
                           refresh_expires_in=int(expires_at - time.time()),  # not extended by a refresh
                           country="vn", account_platform="seller_center",
                           account=DEMO_CREDENTIALS["account"], country_user_info_list=country_users())

    @bp.get("/rest/seller/get")
    @api()
    def seller_get(_params):
        return envelope_ok({"seller_id": seller.seller_id, "name": "OrderHub Demo Shop", "location": "Hồ Chí Minh",
                            "short_code": DEMO_CREDENTIALS["short_code"], "email": DEMO_CREDENTIALS["account"],
                            "status": "ACTIVE"})
