"""The clients' signing functions against the providers' documented examples and rules."""
from __future__ import annotations

import hashlib
import hmac
import re

import pytest

from app.integrations.base import AuthError
from app.integrations.marketplaces import lazada, shopee, tiktok


def hexmac(key: str, message: bytes | str) -> str:
    message = message.encode() if isinstance(message, str) else message
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


# -- documentation vectors (SPEC §5.1) -----------------------------------------------------------
def test_lazada_documentation_example():
    params = {"app_key": "123456", "access_token": "test", "timestamp": "1517820392000",
              "sign_method": "sha256", "order_id": "1234"}
    assert lazada.lazada_sign("helloworld", "/order/get", params) == \
        "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"


def test_tiktok_documentation_example():
    query = {"app_key": "29a39d", "timestamp": "1623812664"}
    assert tiktok.tiktok_sign("e59af819cc", "/authorization/202309/shops", query) == \
        "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


# -- Shopee: fixed-order base string, public vs shop APIs --------------------------------------
def test_shopee_public_api_base_string_has_no_token():
    base = shopee.shopee_base_string(2001887, "/api/v2/auth/token/get", 1655714431)
    assert base == "2001887/api/v2/auth/token/get1655714431"


def test_shopee_shop_api_base_string_appends_token_then_shop_id():
    base = shopee.shopee_base_string(2001887, "/api/v2/order/get_order_list", 1655714431, "abc123", 820015511)
    assert base == "2001887/api/v2/order/get_order_list1655714431abc123820015511"


def test_shopee_sign_is_lowercase_64_hex_keyed_with_the_key_text():
    key = "0a0b0c0d"  # looks like hex but is used as its UTF-8 text
    sign = shopee.shopee_sign(key, "2001887/api/v2/shop/get_shop_info1655714431")
    assert re.fullmatch(r"[0-9a-f]{64}", sign)
    assert sign == hexmac(key, "2001887/api/v2/shop/get_shop_info1655714431")
    assert sign != hmac.new(bytes.fromhex(key), b"2001887/api/v2/shop/get_shop_info1655714431",
                            hashlib.sha256).hexdigest()


def test_shopee_sign_keeps_leading_zeros():
    """The Java demo's "%032x" drops leading zeros about 1 time in 16; ours always has 64 digits."""
    signs = [shopee.shopee_sign("k", f"base{i}") for i in range(200)]
    assert all(len(s) == 64 for s in signs) and any(s.startswith("0") for s in signs)


def test_shopee_push_signature_is_over_url_pipe_raw_body():
    body = b'{"data":{"ordersn":"220810QSK8S7BX","status":"PROCESSED"},"shop_id":727720655,"code":3,"timestamp":1660123127}'
    url = "https://orderhub.example/webhooks/shopee"
    sign = hexmac("partnerkey", url.encode() + b"|" + body)
    note = shopee.verify_push(body, sign, url=url, partner_key="partnerkey")
    assert (note.kind, note.order_id, note.order_status, note.shop_id) == (
        "order_status", "220810QSK8S7BX", "PROCESSED", "727720655")
    with pytest.raises(AuthError):
        shopee.verify_push(body, sign, url="http://orderhub.example/webhooks/shopee", partner_key="partnerkey")


# -- Lazada: ASCII sort, every sent parameter, raw values, UPPERCASE ----------------------------
def test_lazada_sorts_in_ascii_order_uppercase_and_underscore_first():
    params = {"b": "2", "B": "1", "a_z": "3", "ab": "4", "sign": "ignored"}
    expected = hexmac("s", "/x/yB1a_z3ab4b2").upper()  # 'B' < 'a', '_' < 'b'
    assert lazada.lazada_sign("s", "/x/y", params) == expected


def test_lazada_signs_raw_values_and_the_post_payload():
    params = {"app_key": "1", "timestamp": "1", "sign_method": "sha256",
              "update_after": "2026-11-22T08:00:00+07:00", "payload": '{"Request":{}}'}
    text = '/orders/getapp_key1payload{"Request":{}}sign_methodsha256timestamp1update_after2026-11-22T08:00:00+07:00'
    sign = lazada.lazada_sign("secret", "/orders/get", params)
    assert sign == hexmac("secret", text).upper() and sign == sign.upper()


def test_lazada_push_signature_is_app_key_plus_body():
    body = b'{"seller_id":"1","message_type":0,"data":{"trade_order_id":"9","order_status":"pending"},"timestamp":1603766859530}'
    note = lazada.verify_push(body, hexmac("sec", b"key" + body), app_key="key", app_secret="sec")
    assert (note.order_id, note.timestamp) == ("9", 1603766859)
    with pytest.raises(AuthError):
        lazada.verify_push(body, hexmac("sec", body), app_key="key", app_secret="sec")


# -- TikTok: body included, only sign and access_token excluded ---------------------------------
def test_tiktok_post_body_is_part_of_the_signature():
    query = {"app_key": "29a39d", "timestamp": "1623812664", "shop_cipher": "ROW_x", "page_size": "10"}
    body = b'{"status":"ALL"}'
    with_body = tiktok.tiktok_sign("e59af819cc", "/product/202309/products/search", query, body)
    expected = hexmac("e59af819cc", "e59af819cc/product/202309/products/searchapp_key29a39dpage_size10"
                                    'shop_cipherROW_xtimestamp1623812664{"status":"ALL"}e59af819cc')
    assert with_body == expected
    assert with_body != tiktok.tiktok_sign("e59af819cc", "/product/202309/products/search", query)


def test_tiktok_leaves_out_sign_and_access_token_only():
    query = {"app_key": "29a39d", "timestamp": "1623812664"}
    plain = tiktok.tiktok_sign("e59af819cc", "/authorization/202309/shops", query)
    noisy = tiktok.tiktok_sign("e59af819cc", "/authorization/202309/shops",
                               {**query, "sign": "x", "access_token": "y"})
    assert plain == noisy
    assert plain != tiktok.tiktok_sign("e59af819cc", "/authorization/202309/shops", {**query, "ids": "1,2"})
    assert plain == plain.lower()


# -- the sandboxes' own verifiers against the same documentation vectors -----------------------
def test_lazada_sandbox_accepts_the_documentation_example_and_nothing_else():
    from app.sandbox.lazada.signing import LazadaRefusal, check_call
    apps = {"123456": "helloworld"}
    params = {"app_key": "123456", "access_token": "test", "timestamp": "1517820392000",
              "sign_method": "sha256", "order_id": "1234",
              "sign": "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"}
    checked = check_call(params, "/order/get", apps, now=1517820392.0)
    assert checked["order_id"] == "1234" and "sign" not in checked
    for changed in ({"order_id": "1235"}, {"sign": params["sign"].lower()}, {"sign_method": "md5"}):
        with pytest.raises(LazadaRefusal) as refused:
            check_call({**params, **changed}, "/order/get", apps, now=1517820392.0)
        assert refused.value.code in ("IncompleteSignature", "InvalidSignatureMethod")
    with pytest.raises(LazadaRefusal) as stale:
        check_call(params, "/order/get", apps, now=1517820392.0 + 7201)
    assert stale.value.code == "InvalidTimestamp"


def test_tiktok_sandbox_accepts_the_documentation_example_and_nothing_else():
    from app.sandbox.tiktok.signing import TikTokRefusal, check_call
    apps = {"29a39d": "e59af819cc"}
    args = {"app_key": "29a39d", "timestamp": "1623812664",
            "sign": "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"}
    path = "/authorization/202309/shops"
    assert check_call(args, path, b"", "", apps, now=1623812664) == "29a39d"
    for changed, body in (({"sign": args["sign"].upper()}, b""), ({}, b'{"x":1}'),
                          ({"timestamp": "1623812665"}, b"")):
        with pytest.raises(TikTokRefusal) as refused:
            check_call({**args, **changed}, path, body, "application/json", apps, now=1623812664)
        assert refused.value.code == 106001
    with pytest.raises(TikTokRefusal) as stale:
        check_call(args, path, b"", "", apps, now=1623812664 + 301)
    assert stale.value.code == 36009004
