"""Malformed and hostile input to every create/update endpoint gets a 4xx naming the problem, never a
500, and leaves nothing half-written."""
import sqlalchemy as sa

from app.api.resources import RESOURCES, WRITABLE
from app.extensions import db
from tests.conftest import api_token

HOSTILE = [
    "not json at all",
    [],
    ["a", 1],
    {"id": "1; DROP TABLE sales_order"},
    {"name": None, "sku": None, "quantity": "many"},
    {"name": "x" * 5000, "code": "x" * 500, "sku": "x" * 500},
    {"quantity": -5, "unit_price": -1, "selling_price": -1, "cost_price": "abc"},
    {"supplier": 999999, "warehouse": 999999, "order": 999999, "product": 999999},
    {"status": "shipped", "total": 1, "number": "SO-1"},
    {"name": "' OR 1=1 --", "sku": "<script>alert(1)</script>", "platform": "ebay"},
]


def _row_counts():
    return {t: db.session.execute(sa.text(f'SELECT count(*) FROM "{m.__tablename__}"')).scalar()
            for t, (m, *_rest) in RESOURCES.items()}


def test_hostile_input_never_gives_a_500_or_a_half_written_record(web_app):
    client = web_app.test_client()
    headers = api_token(client, "admin")
    with web_app.app_context():
        before = _row_counts()
    for resource in WRITABLE:
        for body in HOSTILE:
            if isinstance(body, str):
                resp = client.post(f"/api/v1/{resource}/", data=body, headers=headers,
                                   content_type="application/json")
            else:
                resp = client.post(f"/api/v1/{resource}/", json=body, headers=headers)
            assert 400 <= resp.status_code < 500, (resource, body, resp.status_code, resp.data[:300])
            if resp.is_json and resp.status_code == 422:
                assert resp.json.get("message"), (resource, body)
            resp = client.put(f"/api/v1/{resource}/1", json=body if not isinstance(body, str)
                              else {}, headers=headers)
            assert resp.status_code < 500, (resource, "PUT", body, resp.status_code)
    with web_app.app_context():
        assert _row_counts() == before


def test_unique_sku_message_names_the_field(web_app):
    client = web_app.test_client()
    headers = api_token(client, "admin")
    body = {"name": "Áo", "sku": "AO-1", "vat_rate": "10", "cost_price": 1, "selling_price": 2,
            "active": True}
    assert client.post("/api/v1/product/", json=body, headers=headers).status_code == 201
    resp = client.post("/api/v1/product/", json=body, headers=headers)
    assert resp.status_code == 422
    assert "sku" in resp.json["errors"] and "unique" in resp.json["message"]
