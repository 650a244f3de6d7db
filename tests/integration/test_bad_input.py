"""Malformed and hostile input to every create/update endpoint gets a 4xx naming the problem, never a
500, and leaves nothing half-written."""
import sqlalchemy as sa

from app.api.resources import RESOURCES, WRITABLE
from app.extensions import db
from tests.conftest import api_token
from tests.support.web_backends import any_web_app  # noqa: F401  (fixture)

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


def test_hostile_input_never_gives_a_500_or_a_half_written_record(any_web_app):
    web_app = any_web_app
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


def test_unique_sku_message_names_the_field(any_web_app):
    client = any_web_app.test_client()
    headers = api_token(client, "admin")
    body = {"name": "Áo", "sku": "AO-1", "vat_rate": "10", "cost_price": 1, "selling_price": 2,
            "active": True}
    assert client.post("/api/v1/product/", json=body, headers=headers).status_code == 201
    resp = client.post("/api/v1/product/", json=body, headers=headers)
    assert resp.status_code == 422
    assert "sku" in resp.json["errors"] and "unique" in resp.json["message"]


# --- the panel's generated forms ---------------------------------------------------------------
import re  # noqa: E402

import pytest  # noqa: E402

from tests.conftest import DEMO_PASSWORD, login, make_app  # noqa: E402

FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', re.I)
GARBAGE = ["x" * 5000, "-1abc", "' OR 1=1; DROP TABLE sales_order; --", "",
           "99999999999999999999999", "<script>alert(1)</script>", "zz"]


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("bad-input"))
    with app.app_context():
        from app.demo import load_demo
        load_demo(app, password=DEMO_PASSWORD)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _form_views(app):
    from app.views.base import OrderHubModelView
    return [v for v in app.appbuilder.baseviews if isinstance(v, OrderHubModelView)]


def _count(view) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(view.datamodel.obj))


def test_hostile_input_to_every_panel_form_never_gives_a_500(demo_app):
    client = demo_app.test_client()
    login(client, "admin")
    tried = 0
    for view in _form_views(demo_app):
        base = view.route_base
        with demo_app.app_context():
            first = db.session.scalars(sa.select(view.datamodel.obj).limit(1)).first()
            pk = view.datamodel.get_pk_value(first) if first is not None else None
        for page in ["add"] + ([f"edit/{pk}"] if pk is not None else []):
            form = client.get(f"{base}/{page}")
            if form.status_code != 200:
                continue  # the view has no such form (read-only records, computed documents)
            names = [n for n in dict.fromkeys(FIELD.findall(form.get_data(as_text=True)))
                     if n not in ("csrf_token", "version_seen")]
            for garbage in GARBAGE:
                with demo_app.app_context():
                    before = _count(view)
                resp = client.post(f"{base}/{page}", data={n: garbage for n in names})
                tried += 1
                assert resp.status_code < 500, (base, page, garbage[:20], resp.status_code)
                if resp.status_code == 200:  # refused: the form is shown again, nothing written
                    with demo_app.app_context():
                        assert _count(view) == before, (base, page, garbage[:20])
    assert tried > 100


def test_a_contact_is_checked_and_normalised_in_the_panel_and_the_api(demo_app):
    client = demo_app.test_client()
    login(client, "clerk")
    refused = client.post("/customerview/add", data={"name": "Phạm Minh", "phone": "12345",
                                                     "email": "nope", "tax_code": "0101243151"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "not a valid Vietnamese number" in page and "not an e-mail address" in page
    api = demo_app.test_client()
    headers = api_token(api, "clerk")
    bad = api.post("/api/v1/customer/", json={"name": "Phạm Minh", "tax_code": "0101243150"},
                   headers=headers)
    assert bad.status_code == 422 and "company_name" in bad.json["errors"]
    good = api.post("/api/v1/customer/", json={"name": "Phạm Minh", "phone": "+84 912 345 678",
                                               "email": "Minh@Example.VN", "tax_code": "0101243150",
                                               "company_name": "Công ty TNHH Minh"},
                    headers=headers)
    assert good.status_code == 201, good.json
    with demo_app.app_context():
        from app.models import Customer
        saved = db.session.get(Customer, good.json["id"])
        assert (saved.phone, saved.email) == ("0912345678", "Minh@example.vn")
    supplier = api.post("/api/v1/supplier/", json={"name": "Xưởng A", "tax_code": "001234567890"},
                        headers=headers)
    assert supplier.status_code == 422 and "tax_code" in supplier.json["errors"]


def test_an_update_through_the_api_on_real_records_is_refused_whole(demo_app):
    """PUT of hostile bodies on existing records: 4xx, and the record is as it was."""
    client = demo_app.test_client()
    headers = api_token(client, "admin")
    for resource, (model, *_rest) in RESOURCES.items():
        if resource not in WRITABLE:
            continue
        with demo_app.app_context():
            record = db.session.scalars(sa.select(model).order_by(model.id).limit(1)).first()
            if record is None:
                continue
            pk = record.id
            before = {c.key: getattr(record, c.key) for c in sa.inspect(model).column_attrs}
        for body in HOSTILE:
            if isinstance(body, str):
                resp = client.put(f"/api/v1/{resource}/{pk}", data=body, headers=headers,
                                  content_type="application/json")
            else:
                resp = client.put(f"/api/v1/{resource}/{pk}", json=body, headers=headers)
            assert resp.status_code < 500, (resource, body, resp.status_code, resp.data[:300])
            if resp.status_code >= 400:
                with demo_app.app_context():
                    now = db.session.get(model, pk)
                    after = {c.key: getattr(now, c.key) for c in sa.inspect(model).column_attrs}
                    assert after == before, (resource, body)
            else:
                with demo_app.app_context():
                    now = db.session.get(model, pk)
                    before = {c.key: getattr(now, c.key) for c in sa.inspect(model).column_attrs}
