"""TikTok Shop authorization: the consent page, the auth host's token paths, authorized shops."""
from __future__ import annotations

import time
from html import escape
from urllib.parse import urlencode, urlsplit

from flask import redirect, request

from app.sandbox.tiktok.signing import TikTokRefusal, envelope_ok

PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>TikTok Shop - Authorize</title></head>
<body style="font-family:sans-serif;max-width:32rem;margin:4rem auto">
<h1>TikTok Shop Partner Center</h1>
<p>Ứng dụng <b>{app_key}</b> muốn truy cập cửa hàng <b>{shop_name}</b> (VN).</p>
<form method="post">
<input type="hidden" name="app_key" value="{app_key}">
<input type="hidden" name="redirect_uri" value="{redirect_uri}">
<input type="hidden" name="state" value="{state}">
<button type="submit" id="authorize" name="decision" value="authorize">Authorize</button>
<button type="submit" id="cancel" name="decision" value="cancel">Cancel</button>
</form></body></html>"""


def register(bp, shop, api) -> None:
    from app.sandbox.tiktok import DEMO_CREDENTIALS

    @bp.get("/oauth/authorize")
    def authorize_page():
        args = request.args
        if args.get("app_key") != shop.app_key or urlsplit(args.get("redirect_uri", "")).scheme not in ("http", "https"):
            return "Invalid app_key or redirect_uri", 400
        return PAGE.format(app_key=escape(shop.app_key), shop_name=DEMO_CREDENTIALS["shop_name"],
                           redirect_uri=escape(args["redirect_uri"]), state=escape(args.get("state", "")))

    @bp.post("/oauth/authorize")
    def authorize_decision():
        form = request.form
        target = form.get("redirect_uri", "")
        if form.get("app_key") != shop.app_key or urlsplit(target).scheme not in ("http", "https"):
            return "Invalid request", 400
        if form.get("decision") == "authorize":
            query = {"code": shop.issue_code(), "state": form.get("state", "")}
        else:
            query = {"code": "null", "error": "auth_denied", "state": form.get("state", "")}
        return redirect(target + ("&" if "?" in target else "?") + urlencode(query))

    def _app() -> None:
        """The token paths are unsigned: the app proves itself with its secret in the query."""
        if request.args.get("app_key") != shop.app_key or request.args.get("app_secret") != shop.app_secret:
            raise TikTokRefusal(36004004, "Invalid app_key or app_secret")

    def _token_answer(tokens: dict):
        return envelope_ok({**tokens, "open_id": "open_demo_" + shop.shop_id[-6:],
                            "seller_name": DEMO_CREDENTIALS["shop_name"], "seller_base_region": "VN",
                            "user_type": 0, "granted_scopes": ["seller.authorization.info", "seller.product.basic",
                                                               "seller.order.info", "seller.logistics"]})

    @bp.get("/api/v2/token/get")
    def token_get():
        try:
            _app()
            if request.args.get("grant_type") != "authorized_code":
                raise TikTokRefusal(36004004, "grant_type must be authorized_code")
            with shop.lock:
                expires_at = shop.codes.pop(request.args.get("auth_code", ""), None)
            if expires_at is None or expires_at < time.time():
                raise TikTokRefusal(36004004, "auth_code is invalid or expired")
        except TikTokRefusal as refusal:
            return refusal.response()
        return _token_answer(shop.issue_tokens())

    @bp.get("/api/v2/token/refresh")
    def token_refresh():
        try:
            _app()
            refresh = request.args.get("refresh_token", "")
            with shop.lock:
                expires_at = shop.refresh_tokens.get(refresh)
            if request.args.get("grant_type") != "refresh_token" or expires_at is None or expires_at < time.time():
                raise TikTokRefusal(36004004, "refresh_token is invalid or expired")
        except TikTokRefusal as refusal:
            return refusal.response()
        return _token_answer(shop.issue_tokens(refresh))

    @bp.get("/authorization/202309/shops")
    @api(shop_api=False)
    def shops():
        return envelope_ok({"shops": [{"id": shop.shop_id, "name": DEMO_CREDENTIALS["shop_name"], "region": "VN",
                                       "seller_type": "LOCAL", "cipher": shop.shop_cipher,
                                       "code": DEMO_CREDENTIALS["shop_code"]}]})
