"""The REST API describes itself: OpenAPI at /api/v1/_openapi names every SPEC §8 resource and
action, shows no secret field, and Swagger UI serves it; JWT login works and its output leaks
nothing."""
from app.api.resources import RESOURCES
from tests.conftest import DEMO_PASSWORD, login

SPEC_RESOURCES = ("warehouse, category, brand, product, variant, stock_level, stock_move, supplier, "
                  "purchase_order, goods_receipt, customer, channel, channel_listing, order, "
                  "order_line, shipment, tracking_event, cod_reconciliation, invoice, "
                  "return_request, stock_count, job, integration_log, audit_log").split(", ")
SPEC_ACTIONS = ["/order/{pk}/confirm", "/order/{pk}/pack", "/order/{pk}/ship", "/order/{pk}/invoice",
                "/order/{pk}/pay", "/order/{pk}/complete", "/order/{pk}/cancel",
                "/order/{pk}/return", "/invoice/{pk}/replace", "/invoice/{pk}/adjust",
                "/channel/{pk}/sync", "/shipment/{pk}/cancel", "/job/{pk}/retry"]
SECRETS = ("credentials", "password", "access_token", "refresh_token", "partner_key", "app_secret")


def test_openapi_names_every_resource_and_action_and_no_secret(web_app):
    client = web_app.test_client()
    login(client, "clerk")
    spec = client.get("/api/v1/_openapi")
    assert spec.status_code == 200
    paths = spec.json["paths"]
    assert set(SPEC_RESOURCES) <= set(RESOURCES)
    for resource in SPEC_RESOURCES:
        assert f"/api/v1/{resource}/" in paths and f"/api/v1/{resource}/{{pk}}" in paths, resource
    for action in SPEC_ACTIONS:
        assert f"/api/v1{action}" in paths, action
    for name, schema in spec.json["components"]["schemas"].items():
        if name.startswith(("Channel", "ProviderAccount", "User")) or "properties" not in schema:
            continue
        assert not set(schema["properties"]) & set(SECRETS), (name, set(schema["properties"]) & set(SECRETS))
    channel_schemas = [s for n, s in spec.json["components"]["schemas"].items()
                       if n.startswith("Channel") and "properties" in s]
    assert channel_schemas and all("credentials" not in s["properties"] for s in channel_schemas)
    assert client.get("/swagger/v1").status_code == 200


def test_jwt_login_gives_a_token_and_refuses_a_wrong_password(web_app):
    client = web_app.test_client()
    ok = client.post("/api/v1/security/login",
                     json={"username": "clerk", "password": DEMO_PASSWORD, "provider": "db"})
    assert ok.status_code == 200 and ok.json["access_token"]
    assert DEMO_PASSWORD not in ok.get_data(as_text=True)
    bad = client.post("/api/v1/security/login",
                      json={"username": "clerk", "password": "wrong", "provider": "db"})
    assert bad.status_code == 401
    me = client.get("/api/v1/order/", headers={"Authorization": f"Bearer {ok.json['access_token']}"})
    assert me.status_code == 200
    assert client.get("/api/v1/order/").status_code == 401  # no cookie login on the API
