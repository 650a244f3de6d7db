"""A provider's base URL works as the provider documents it and as the host alone: the path a client
adds itself (MISA's ``/api/integration``, Viettel Post's ``/v2``, GHN's ``/shiip/public-api``,
S-Invoice's API path, Lazada's ``/rest``, Shopee's ``/api/v2``) is never doubled."""
from __future__ import annotations

import pytest

from app.integrations.carriers.ghn import GHNClient
from app.integrations.carriers.viettelpost import ViettelPostClient
from app.integrations.einvoice.misa import MisaClient
from app.integrations.einvoice.sinvoice import SInvoiceClient
from app.integrations.marketplaces.lazada import LazadaClient
from app.integrations.marketplaces.shopee import ShopeeClient
from app.integrations.marketplaces.tiktok import TikTokShopClient

CLIENTS = {
    "misa": (lambda url: MisaClient(url, "app", "0318123451", "u", "p"),
             "https://api.meinvoice.vn", "/api/integration"),
    "sinvoice": (lambda url: SInvoiceClient(url, "u", "p", "0318123451"),
                 "https://api-vinvoice.viettel.vn", "/services/einvoiceapplication/api"),
    "viettelpost": (lambda url: ViettelPostClient(url, "u", "p"),
                    "https://partner.viettelpost.vn", "/v2"),
    "ghn": (lambda url: GHNClient(url, "token", 885), "https://online-gateway.ghn.vn",
            "/shiip/public-api"),
    "lazada": (lambda url: LazadaClient(url, app_key="1", app_secret="s"), "https://api.lazada.vn",
               "/rest"),
    "shopee": (lambda url: ShopeeClient(url, partner_id=1, partner_key="k"),
               "https://partner.shopeemobile.com", "/api/v2"),
}


@pytest.mark.parametrize("name", sorted(CLIENTS))
@pytest.mark.parametrize("written", ["{host}", "{host}/", "{host}{suffix}", "{host}{suffix}/",
                                     " {host}{suffix} "])
def test_the_documented_base_and_the_bare_host_are_the_same(name, written):
    make, host, suffix = CLIENTS[name]
    client = make(written.format(host=host, suffix=suffix))
    try:
        assert client.base_url == host
    finally:
        client.close()


def test_a_sandbox_path_is_kept_and_only_the_suffix_is_taken_off():
    client = MisaClient("http://127.0.0.1:5000/sandbox/misa/api/integration", "a", "t", "u", "p")
    assert client.base_url == "http://127.0.0.1:5000/sandbox/misa"
    client.close()


def test_urls_built_from_either_form_are_identical():
    short = ViettelPostClient("https://partner.viettelpost.vn", "u", "p",
                              print_base_url="https://digitalize.viettelpost.vn")
    long = ViettelPostClient("https://partner.viettelpost.vn/v2/", "u", "p",
                             print_base_url="https://digitalize.viettelpost.vn/DigitalizePrint/")
    assert short.label_url("ABC") == long.label_url("ABC") == \
        "https://digitalize.viettelpost.vn/DigitalizePrint/report.do?type=1&bill=ABC&showPostage=1"
    ghn = GHNClient("https://online-gateway.ghn.vn/shiip/public-api", "t", 1)
    assert ghn.label_url("tok") == "https://online-gateway.ghn.vn/a5/public-api/printA5?token=tok"
    lazada = LazadaClient("https://api.lazada.vn/rest", app_key="1", app_secret="s",
                          auth_base_url="https://auth.lazada.com/rest")
    assert lazada.authorization_url("https://shop.example/cb").startswith(
        "https://auth.lazada.com/oauth/authorize?")
    tiktok = TikTokShopClient("https://open-api.tiktokglobalshop.com", app_key="1", app_secret="s",
                              auth_base_url="https://auth.tiktok-shops.com/api/v2/")
    assert tiktok.auth_base_url == "https://auth.tiktok-shops.com"
    shopee = ShopeeClient("https://partner.shopeemobile.com/api/v2", partner_id=1, partner_key="k")
    assert shopee.authorization_url("https://shop.example/cb").startswith(
        "https://partner.shopeemobile.com/api/v2/shop/auth_partner?")
    for client in (short, long, ghn, lazada, tiktok, shopee):
        client.close()
