"""Shopee's authorization page and token endpoints (public APIs: no token in the sign)."""
from __future__ import annotations

import time
from html import escape
from urllib.parse import urlencode, urlsplit

from flask import redirect, request

from app.sandbox.shopee.signing import ShopeeRefusal, envelope_ok

PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Shopee Open Platform - Authorize</title></head>
<body style="font-family:sans-serif;max-width:32rem;margin:4rem auto">
<h1 style="color:#ee4d2d">Shopee</h1>
<p>Ứng dụng <b>partner {partner_id}</b> muốn truy cập shop <b>{shop_name}</b> (shop_id {shop_id}).</p>
<form method="post">
<input type="hidden" name="redirect" value="{redirect}">
<button type="submit" id="authorize" name="decision" value="authorize">Authorize</button>
<button type="submit" id="cancel" name="decision" value="cancel">Cancel</button>
</form></body></html>"""


def register(bp, shop, api) -> None:
    @bp.get("/api/v2/shop/auth_partner")
    @api(shop_api=False)
    def auth_page(common):
        target = request.args.get("redirect", "")
        if urlsplit(target).scheme not in ("http", "https"):
            raise ShopeeRefusal("error_param", "Invalid redirect url.")
        return PAGE.format(partner_id=escape(common["partner_id"]), shop_name="OrderHub Demo Shop",
                           shop_id=shop.shop_id, redirect=escape(target))

    @bp.post("/api/v2/shop/auth_partner")
    def auth_decision():
        """The seller's click: back to the partner with a single-use code and the shop id."""
        target = request.form.get("redirect", "")
        if urlsplit(target).scheme not in ("http", "https"):
            return "Invalid redirect url", 400
        if request.form.get("decision") != "authorize":
            return redirect(target)
        joiner = "&" if "?" in target else "?"
        code = shop.issue_code(shop.shop_id)
        return redirect(target + joiner + urlencode({"code": code, "shop_id": shop.shop_id}))

    @bp.post("/api/v2/auth/token/get")
    @api(shop_api=False)
    def token_get(common):
        body = request.get_json(silent=True) or {}
        if str(body.get("partner_id")) != common["partner_id"]:
            raise ShopeeRefusal("error_param", "partner_id in body does not match the query.")
        with shop.lock:
            entry = shop.codes.pop(str(body.get("code", "")), None)
        if entry is None or entry["expires_at"] < time.time():
            raise ShopeeRefusal("error_auth", "Invalid code.", 403)
        if str(entry["shop_id"]) != str(body.get("shop_id")):
            raise ShopeeRefusal("error_auth", "Invalid shop_id for this code.", 403)
        tokens = shop.issue_tokens(entry["shop_id"])
        return envelope_ok(**tokens, shop_id_list=[entry["shop_id"]], merchant_id_list=[])

    @bp.post("/api/v2/auth/access_token/get")
    @api(shop_api=False)
    def token_refresh(common):
        body = request.get_json(silent=True) or {}
        with shop.lock:
            entry = shop.refresh_tokens.pop(str(body.get("refresh_token", "")), None)
        if entry is None or entry["expires_at"] < time.time():
            raise ShopeeRefusal("error_auth", "Invalid refresh_token.", 403)
        if str(entry["shop_id"]) != str(body.get("shop_id")):
            raise ShopeeRefusal("error_auth", "Invalid shop_id for this refresh_token.", 403)
        tokens = shop.issue_tokens(entry["shop_id"])
        return envelope_ok(**tokens, partner_id=int(common["partner_id"]), shop_id=entry["shop_id"])

    @bp.get("/api/v2/shop/get_shop_info")
    @api()
    def shop_info(common):
        now = int(time.time())
        return envelope_ok(shop_name="OrderHub Demo Shop", region="VN", status="NORMAL",
                           is_cb=False, auth_time=now - 86400, expire_time=now + 364 * 86400)
