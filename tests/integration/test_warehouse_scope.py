"""A user limited to one warehouse reaches nothing of another, by any path.

Every model declares its warehouse scope once (app/security/scope.py). Here a shop has a record of
every kind in two warehouses; a clerk and a "lead" (a supervisor's rights, but assigned to one
warehouse, so scoped) walk every registered view and REST resource: lists, CSV exports, record
pages, forms, PDFs, single and bulk actions, edit, delete, related values, and writes pointing at
the other warehouse. Nothing of the other warehouse may be listed, shown, exported, changed,
deleted or acted on; afterwards its rows are exactly as they were.
"""
from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa
from flask_appbuilder import ModelRestApi, ModelView

import app.models as m
from app.extensions import db
from app.models.base import Model
from app.security import scope
from tests.conftest import (BACKENDS, DEMO_PASSWORD, PG_URL, api_token, login, make_app,
                            normalize_pg_url, truncate_all)
from tests.support import seed

SCOPED_USERS = ["clerk", "lead"]


@pytest.fixture(scope="module", params=BACKENDS)
def shop(request, tmp_path_factory):
    overrides = {}
    if request.param == "postgresql":
        truncate_all(request.getfixturevalue("pg_engine"))
        overrides["SQLALCHEMY_DATABASE_URI"] = normalize_pg_url(PG_URL)
    app = make_app(tmp_path_factory.mktemp("scope"), **overrides)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    sm = app.appbuilder.sm
    # A lead: a supervisor's every right, but assigned to one warehouse, hence scoped.
    sm.builtin_roles["Lead"] = sm.builtin_roles["Supervisor"]
    with app.app_context():
        sm.add_user("lead", "Lead", "Kho", "lead@orderhub.local", sm.add_role("Lead"),
                    password=DEMO_PASSWORD)
        mine, theirs = seed.two_warehouses_of_records(db.session)
        for username in SCOPED_USERS:
            mine.assigned_users.append(sm.find_user(username=username))
        db.session.commit()
        app.config["TEST_THEIRS"] = theirs.id
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _outside(app) -> dict[type, set[int]]:
    """Ids of every scoped model's rows outside the scoped users' warehouse (its declared rule)."""
    with app.app_context():
        mine = db.session.scalar(sa.select(m.Warehouse.id).where(m.Warehouse.code == "HCM"))
        out = {}
        for model in scope.SCOPES:
            if not scope.scoped(model):
                continue
            key = sa.inspect(model).primary_key[0]
            inside = set(db.session.scalars(scope.in_scope_ids(model, [mine])))
            out[model] = set(db.session.scalars(sa.select(key))) - inside
        return out


def _snapshot(app, outside) -> dict:
    with app.app_context():
        snap = {}
        for model, ids in outside.items():
            table = model.__table__
            key = sa.inspect(model).primary_key[0]
            rows = db.session.execute(sa.select(table).where(key.in_(ids))).all()
            snap[model.__name__] = sorted(tuple(str(v) for v in row) for row in rows)
        return snap


def _views(app) -> list:
    return [v for v in app.appbuilder.baseviews if isinstance(v, ModelView)]


def _apis(app) -> list:
    return [v for v in app.appbuilder.baseviews if isinstance(v, ModelRestApi)]


def test_every_model_declares_its_scope(shop):
    undeclared = []
    for mapper in Model.registry.mappers:
        try:
            scope.declaration(mapper.class_)
        except LookupError:
            undeclared.append(mapper.class_.__name__)
    assert not undeclared, f"declare the warehouse scope of {undeclared} in app/security/scope.py"
    for view in _views(shop) + _apis(shop):
        scope.declaration(view.datamodel.obj)  # raises for an undeclared model


def test_the_shop_has_rows_on_both_sides_of_every_scoped_resource(shop):
    outside = _outside(shop)
    models = {v.datamodel.obj for v in _views(shop) + _apis(shop)}
    for model in models:
        if scope.scoped(model) and model is not m.IntegrationLog:
            assert outside[model], f"no {model.__name__} outside the scope to walk with"


def _pks_in_list(html: str, route_base: str) -> set[int]:
    found = set(int(pk) for pk in re.findall(r'name="rowid" value="(\d+)"', html))
    found |= set(int(pk) for pk in re.findall(re.escape(route_base) + r"/(?:show|edit)/(\d+)", html))
    return found


def _path_values(rule, model, outside, theirs_id):
    """The out-of-scope record each argument of a URL names, or None when it names none."""
    values = {}
    for arg in rule.arguments:
        if arg == "pk":
            ids = outside.get(model)
        elif arg == "job_id":
            ids = outside.get(m.Job)
        elif arg == "return_id":
            ids = outside.get(m.ReturnRequest)
        else:
            return None
        if not ids:
            return None
        values[arg] = min(ids)
    return values


def _url(rule, values) -> str:
    url = rule.rule
    for arg, value in values.items():
        url = re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?" + arg + ">", str(value), url)
    return url


def _refused(resp) -> bool:
    """404 (not found for this user), 401/403 (not allowed) or a redirect away from the record."""
    return resp.status_code in (302, 303, 400, 401, 403, 404, 405, 409, 422)


def _related_tabs_and_choices(app, client, views, outside) -> list[str]:
    """A record page's tabs (a customer's orders, a variant's stock levels) and a form's choices
    (the order of a new order line) hold nothing of another warehouse."""
    problems = []
    with app.app_context():
        for view in views:
            model = view.datamodel.obj
            key = sa.inspect(model).primary_key[0]
            query = sa.select(key)
            if outside.get(model):
                query = query.where(key.notin_(outside[model]))
            view.walk_pk = db.session.scalar(query.order_by(key).limit(1))
    for view in views:
        tabs = [r for r in view._related_views if outside.get(r.datamodel.obj)]
        if tabs and view.walk_pk is not None:
            page = client.get(f"{view.route_base}/show/{view.walk_pk}").get_data(as_text=True)
            for tab in tabs:
                leaked = _pks_in_list(page, tab.route_base) & outside[tab.datamodel.obj]
                if leaked:
                    problems.append(f"{type(view).__name__} page shows {type(tab).__name__} "
                                    f"{sorted(leaked)}")
        mapper = sa.inspect(view.datamodel.obj)
        for form, columns in (("add", view.add_columns),
                              (f"edit/{view.walk_pk}", view.edit_columns)):
            relations = [c for c in columns or () if c in mapper.relationships
                         and outside.get(mapper.relationships[c].mapper.class_)]
            if not relations or (form.startswith("edit") and view.walk_pk is None):
                continue
            resp = client.get(f"{view.route_base}/{form}")
            if resp.status_code != 200:
                continue
            html = resp.get_data(as_text=True)
            for column in relations:
                select = re.search(r'<select[^>]*name="%s"[^>]*>(.*?)</select>' % column, html,
                                   re.S)
                offered = {int(v) for v in re.findall(r'value="(\d+)"', select.group(1))} \
                    if select else set()
                leaked = offered & outside[mapper.relationships[column].mapper.class_]
                if leaked:
                    problems.append(f"{type(view).__name__} {form} offers {column} "
                                    f"{sorted(leaked)}")
    return problems


@pytest.mark.parametrize("username", SCOPED_USERS)
def test_a_scoped_user_reaches_nothing_of_another_warehouse_in_the_panel(shop, username):
    outside = _outside(shop)
    before = _snapshot(shop, outside)
    client = shop.test_client()
    login(client, username)
    problems = []
    views = {type(v).__name__: v for v in _views(shop)}
    for view in views.values():
        model = view.datamodel.obj
        if not scope.scoped(model) or not outside.get(model):
            continue
        theirs = outside[model]
        name = type(view).__name__
        listing = client.get(f"{view.route_base}/list/?psize_{name}=100")
        if listing.status_code == 200:
            leaked = _pks_in_list(listing.get_data(as_text=True), view.route_base) & theirs
            if leaked:
                problems.append(f"{name} lists {sorted(leaked)}")
        export = client.get(f"{view.route_base}/export_csv")
        if export.status_code == 200:
            rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
            text = export.get_data(as_text=True)
            if "THEIRS" in text or "Hà Nội" in text:
                problems.append(f"{name} exports another warehouse's rows")
            with shop.app_context():
                total = db.session.scalar(sa.select(sa.func.count()).select_from(model))
            if len(rows) - 1 > total - len(theirs):
                problems.append(f"{name} exports {len(rows) - 1} rows, "
                                f"{total - len(theirs)} in scope")
        for action_name, action in (view.actions or {}).items():
            resp = client.post(f"{view.route_base}/action/{action_name}/{min(theirs)}")
            if not _refused(resp):
                problems.append(f"{name} runs {action_name} on another warehouse's record "
                                f"→ {resp.status_code}")
            if action.multiple:
                client.post(f"{view.route_base}/action_post",
                            data={"action": action_name, "rowid": sorted(theirs)})
    problems += _related_tabs_and_choices(shop, client, views.values(), outside)
    for rule in shop.url_map.iter_rules():
        view_name, _, method = rule.endpoint.partition(".")
        view = views.get(view_name)
        if view is None or not rule.arguments or method in ("action",):
            continue
        values = _path_values(rule, view.datamodel.obj, outside, None)
        if values is None or not scope.scoped(view.datamodel.obj):
            continue
        url = _url(rule, values)
        for verb in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            resp = client.open(url, method=verb, data={})
            if resp.status_code >= 500 or (resp.status_code == 200 and verb in ("GET", "POST")):
                problems.append(f"{verb} {url} → {resp.status_code}")
    assert not problems, "\n".join(problems)
    assert _snapshot(shop, outside) == before, "another warehouse's records changed"
    assert _outside(shop) == outside, "records were added to another warehouse"


@pytest.mark.parametrize("username", SCOPED_USERS)
def test_a_scoped_user_reaches_nothing_of_another_warehouse_over_the_api(shop, username):
    outside = _outside(shop)
    before = _snapshot(shop, outside)
    client = shop.test_client()
    headers = api_token(client, username)
    problems = []
    apis = {type(a).__name__: a for a in _apis(shop)}
    for api in apis.values():
        model = api.datamodel.obj
        base = f"/api/v1/{api.resource_name}"
        listing = client.get(f"{base}/?q=(page_size:500)", headers=headers)
        if listing.status_code == 200:
            leaked = set(listing.json["ids"]) & outside.get(model, set())
            if leaked:
                problems.append(f"GET {base}/ lists {sorted(leaked)}")
        info = client.get(f"{base}/_info?q=(keys:!(add_columns,edit_columns))", headers=headers)
        if info.status_code == 200:
            for key in ("add_columns", "edit_columns"):
                for field in info.json.get(key, []):
                    rel = sa.inspect(model).relationships.get(field["name"])
                    if rel is None or "values" not in field:
                        continue
                    shown = {v["id"] for v in field["values"]}
                    leaked = shown & outside.get(rel.mapper.class_, set())
                    if leaked:
                        problems.append(f"{base}/_info offers {field['name']} {sorted(leaked)}")
    for rule in shop.url_map.iter_rules():
        view_name, _, method = rule.endpoint.partition(".")
        api = apis.get(view_name)
        if api is None or not rule.arguments or not scope.scoped(api.datamodel.obj):
            continue
        values = _path_values(rule, api.datamodel.obj, outside, None)
        if values is None:
            continue
        url = _url(rule, values)
        for verb in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            body = {"quantity": 9, "unit_price": 1} if api.resource_name == "order_line" else {}
            resp = client.open(url, method=verb, json=body if verb != "GET" else None,
                               headers=headers)
            if resp.status_code not in (401, 403, 404, 405):
                problems.append(f"{verb} {url} → {resp.status_code}")
    # Writes that point at another warehouse's records are refused, naming the field.
    theirs = shop.config["TEST_THEIRS"]
    with shop.app_context():
        variant_id = db.session.scalar(sa.select(m.ProductVariant.id))
        supplier_id = db.session.scalar(sa.select(m.Supplier.id))
    writes = [("order_line", {"order": min(outside[m.Order]), "variant": variant_id,
                              "quantity": 1}, "order"),
              ("purchase_order", {"supplier": supplier_id, "warehouse": theirs}, "warehouse"),
              ("stock_count", {"warehouse": theirs, "scope": "all"}, "warehouse"),
              ("order", {"buyer_name": "X", "buyer_phone": "0912345678", "warehouse": theirs,
                         "ship_street": "1", "ship_province": "Hà Nội"}, "warehouse")]
    for resource, body, field in writes:
        resp = client.post(f"/api/v1/{resource}/", json=body, headers=headers)
        if resp.status_code not in (403, 422) or \
                (resp.status_code == 422 and field not in (resp.json.get("errors") or {})):
            problems.append(f"POST /api/v1/{resource}/ into another warehouse → "
                            f"{resp.status_code} {resp.get_data(as_text=True)[:200]}")
    assert not problems, "\n".join(problems)
    assert _snapshot(shop, outside) == before, "another warehouse's records changed"
    assert _outside(shop) == outside, "records were added to another warehouse"


def test_put_on_another_warehouses_order_line_answers_404_and_changes_nothing(shop):
    outside = _outside(shop)
    client = shop.test_client()
    headers = api_token(client, "clerk")
    line_id = min(outside[m.OrderLine])
    with shop.app_context():
        total = db.session.get(m.OrderLine, line_id).order.total
    resp = client.put(f"/api/v1/order_line/{line_id}", json={"quantity": 50}, headers=headers)
    assert resp.status_code == 404
    with shop.app_context():
        line = db.session.get(m.OrderLine, line_id)
        assert line.quantity == 2 and line.order.total == total
    sup = shop.test_client()
    sup_headers = api_token(sup, "supervisor")
    assert sup.get(f"/api/v1/order_line/{line_id}", headers=sup_headers).status_code == 200


def test_the_scope_limits_what_a_scoped_user_sees_not_what_others_see(shop):
    outside = _outside(shop)
    client = shop.test_client()
    headers = api_token(client, "supervisor")
    ids = client.get("/api/v1/shipment/?q=(page_size:500)", headers=headers).json["ids"]
    assert outside[m.Shipment] <= set(ids)
    clerk = shop.test_client()
    clerk_headers = api_token(clerk, "clerk")
    mine = clerk.get("/api/v1/shipment/?q=(page_size:500)", headers=clerk_headers).json["ids"]
    assert mine and not set(mine) & outside[m.Shipment]


def test_forms_that_choose_a_warehouse_offer_and_accept_only_the_users_own(shop):
    """A stock count, a quick order and a draft purchase order land in the clerk's warehouse,
    whatever warehouse id the form is sent with."""
    outside = _outside(shop)
    theirs = shop.config["TEST_THEIRS"]
    client = shop.test_client()
    login(client, "clerk")
    for url in ("/stockcountview/add", "/quick-order/"):
        page = client.get(url).get_data(as_text=True)
        assert "Kho Hồ Chí Minh" in page or "HCM" in page, url
        assert "Kho Hà Nội" not in page and f'value="{theirs}"' not in page, url
    with shop.app_context():
        variant_id = db.session.scalar(sa.select(m.ProductVariant.id))
    client.post("/stockcountview/add", data={"warehouse_id": theirs, "scope": "all"})
    client.post("/quick-order/", data={"warehouse_id": theirs, "name": "Chị Lan",
                                       "phone": "0912345679", "street": "1 Hàng Bạc",
                                       "ward": "Hàng Bạc", "district": "Hoàn Kiếm",
                                       "province": "Hà Nội", "payment_method": "cod",
                                       "line_variant": variant_id, "line_qty": 1,
                                       "line_price": 150000})
    page = client.get(f"/productvariantview/draft_purchase_order?ids={variant_id}"
                      f"&warehouse_id={theirs}").get_data(as_text=True)
    assert "Kho Hà Nội" not in page
    assert _outside(shop) == outside, "a form put a record into another warehouse"
