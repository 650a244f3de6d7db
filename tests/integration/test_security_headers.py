"""Every kind of response carries the security headers: pages (ours and Flask-AppBuilder's), the
REST API, static files, redirects, errors, webhooks, look-ups, exports and the sandboxes' pages."""
import pytest

from tests.conftest import api_token, login

SANDBOX_PAGE = ("/sandbox/lazada/oauth/authorize?response_type=code&client_id={app_key}"
                "&redirect_uri=http://127.0.0.1:5000/channels/callback&state=1.x")


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.split(" ", 1)[1] for part in policy.split("; ")}


def _assert_headers(response, url: str, *, sandbox: bool = False) -> None:
    headers = response.headers
    assert headers.get("X-Frame-Options") == "DENY", url
    assert headers.get("X-Content-Type-Options") == "nosniff", url
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", url
    policy = _directives(headers.get("Content-Security-Policy", "no-policy x"))
    assert policy.get("default-src") == "'self'", url
    assert policy.get("script-src") == "'self'", url  # no inline script, no eval, no nonce
    assert policy.get("object-src") == "'none'" and policy.get("base-uri") == "'self'", url
    assert policy.get("frame-ancestors") == "'none'", url
    assert policy.get("img-src") == "'self' data:", url
    # A provider's page sends the seller back wherever it was told; ours post only to ourselves.
    assert policy.get("form-action") == (None if sandbox else "'self'"), url


@pytest.fixture
def admin(web_app):
    client = web_app.test_client()
    login(client, "admin")
    return client


def test_every_kind_of_response_carries_the_headers(web_app, admin):
    anonymous = web_app.test_client()
    for url, expected in [("/login/", 200), ("/health", None), ("/nowhere", 404),
                          ("/static/js/orderhub.js", 200), ("/static/appbuilder/js/ab.js", 200),
                          ("/orderview/list/", 302)]:  # not signed in: sent to the login page
        response = anonymous.get(url)
        assert expected is None or response.status_code == expected, (url, response.status_code)
        _assert_headers(response, url)
    response = anonymous.post("/webhooks/ghn", data=b"[]", content_type="application/json")
    _assert_headers(response, "/webhooks/ghn")

    for url in ["/", "/orderview/list/", "/orderview/add", "/quick-order/", "/channelview/list/",
                "/users/list/", "/swagger/v1", "/api/v1/_openapi", "/lookup/customers?q=a",
                "/orderview/export_csv", "/jobview/list/"]:
        response = admin.get(url)
        assert response.status_code == 200, (url, response.status_code)
        _assert_headers(response, url)
    response = admin.post("/orderview/action_post", data={"action": "no_such_action"})
    assert response.status_code == 302
    _assert_headers(response, "/orderview/action_post")

    token = api_token(web_app.test_client(), "clerk")
    for url in ["/api/v1/order/", "/api/v1/customer/_info", "/api/v1/order/999999"]:
        response = anonymous.get(url, headers=token)
        assert response.status_code in (200, 404), (url, response.status_code)
        _assert_headers(response, url)


def test_the_sandboxes_pages_carry_the_headers_but_may_send_the_seller_back(web_app):
    from app.sandbox.lazada import DEMO_CREDENTIALS
    url = SANDBOX_PAGE.format(app_key=DEMO_CREDENTIALS["app_key"])
    response = web_app.test_client().get(url)
    assert response.status_code == 200 and b'id="authorize"' in response.data
    _assert_headers(response, url, sandbox=True)
