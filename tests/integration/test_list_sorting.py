"""Sorting lists by their column headers, on the demo shop, on SQLite and PostgreSQL.

Every list a person can open (menu lists, the tables inside a record's page, the REST resources)
is asked for each column it offers to sort by, in both directions, as the admin, and must answer;
a sort parameter naming a column the list does not offer keeps the list in its default order.
Computed columns (a product's profit and margin, a variant's price, a line's stock state, a COD
line's difference, a job's progress) come back in the order a person expects.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import url_for
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.baseviews import BaseModelView

from app.extensions import db
from tests.conftest import (BACKENDS, PG_URL, api_token, login, make_app, normalize_pg_url,
                            truncate_all)
from tests.support.demo_site import demo_site

DIRECTIONS = ("asc", "desc")


@pytest.fixture(scope="module", params=BACKENDS)
def shop(request, tmp_path_factory):
    """The demo shop on each database, with a few jobs part-way through (the demo's are done) and
    a carrier's statement being entered that did not pay every parcel in full (the demo's match)."""
    overrides = {}
    if request.param == "postgresql":
        truncate_all(request.getfixturevalue("pg_engine"))
        overrides["SQLALCHEMY_DATABASE_URI"] = normalize_pg_url(PG_URL)
    app = make_app(tmp_path_factory.mktemp(f"sorting-{request.param}"), **overrides)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 to report, not a test error
    with demo_site(app):
        with app.app_context():
            from app.models import Job, JobStatus
            for done, total in ((1, 4), (30, 40), (0, 7), (2, 2), (5, 50)):
                db.session.add(Job(kind="demo.partial", title=f"Part-way {done}/{total}",
                                   status=JobStatus.STARTED, progress_done=done,
                                   progress_total=total,
                                   started_at=dt.datetime.now(dt.UTC).replace(tzinfo=None)))
            db.session.commit()
            _a_statement_with_differences()
        yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _a_statement_with_differences():
    """Each carrier's next statement, typed in: some parcels paid short, one paid over."""
    from app.services import cod
    by_carrier: dict = {}
    for shipment in cod.eligible_shipments(db.session):
        by_carrier.setdefault(shipment.carrier, []).append(shipment.id)
    assert sum(map(len, by_carrier.values())) >= 3, "the demo has no delivered COD parcel left"
    off = iter([-15000, 5000, -2000, 0, -700, 1200, -30000])
    for carrier, ids in by_carrier.items():
        rec = cod.build_reconciliation(db.session, ids, statement_ref=f"{carrier.value}-2026-11")
        cod.enter_statement(db.session, rec.id, {
            line.id: {"cod_received": int(line.expected_cod - line.fee) + next(off, 0)}
            for line in rec.lines})
    db.session.commit()


def _list_views(app):
    for view in app.appbuilder.baseviews:
        if not isinstance(view, BaseModelView):
            continue
        with app.test_request_context():
            try:
                yield view, url_for(f"{type(view).__name__}.list")
            except Exception:  # a view without a list page (forms, charts)
                continue


def _a_record(view):
    """The record whose page shows the most rows in ``view``'s related lists."""
    model = view.datamodel.obj
    key = sa.inspect(model).primary_key[0]
    best, most = db.session.scalar(sa.select(key).order_by(key).limit(1)), -1
    for related in view._related_views:
        fk = related.datamodel.get_related_fk(model)
        rel = getattr(related.datamodel.obj, fk).property
        if rel.uselist:
            continue
        column = list(rel.local_columns)[0]
        row = db.session.execute(sa.select(column, sa.func.count()).where(column.isnot(None))
                                 .group_by(column).order_by(sa.func.count().desc())
                                 .limit(1)).first()
        if row and row[1] > most:
            best, most = row[0], row[1]
    return best


def _sort_every_way(client, url: str, view, label: str) -> tuple[int, list[str]]:
    """Ask ``url`` for ``view``'s list sorted by each column it offers, both ways."""
    name, asked, failures = type(view).__name__, 0, []
    for column in view.order_columns:
        for direction in DIRECTIONS:
            resp = client.get(f"{url}?_oc_{name}={column}&_od_{name}={direction}")
            asked += 1
            if resp.status_code != 200:
                failures.append(f"{label} by {column} {direction}: {resp.status_code}")
    return asked, failures


def test_every_list_sorts_by_every_column_it_offers(shop):
    client = shop.test_client()
    login(client, "admin")
    failures, asked = [], 0
    for view, url in _list_views(shop):
        n, failed = _sort_every_way(client, url, view, url)
        asked, failures = asked + n, failures + failed
        with shop.app_context():
            pk = _a_record(view) if view._related_views else None
        if pk is None:
            continue
        with shop.test_request_context():
            page = url_for(f"{type(view).__name__}.show", pk=pk)
        for related in view._related_views:
            n, failed = _sort_every_way(client, page, related, f"{page}, {type(related).__name__}")
            asked, failures = asked + n, failures + failed
    assert not failures, "\n".join(failures)
    assert asked > 400  # every list was walked, not a handful


def test_api_resources_sort_and_refuse_unknown_columns(shop):
    """The REST lists share the lists' data layer: each sorts by its computed columns (and the
    first it offers), and a column it does not offer is a 400, never a 500."""
    from app.views import sort_keys
    client = shop.test_client()
    headers = api_token(client, "admin")
    failures = []
    for api in shop.appbuilder.baseviews:
        if not isinstance(api, ModelRestApi) or not api.order_columns:
            continue
        model = api.datamodel.obj
        columns = [c for c in api.order_columns if sort_keys.computed(model, c)]
        for column in columns + api.order_columns[:1]:
            for direction in DIRECTIONS:
                url = (f"{api.route_base}/?q=(order_column:{column},order_direction:{direction},"
                       "page_size:5)")
                resp = client.get(url, headers=headers)
                if resp.status_code != 200:
                    failures.append(f"{url}: {resp.status_code}")
        resp = client.get(f"{api.route_base}/?q=(order_column:no_such_column,"
                          "order_direction:asc)", headers=headers)
        if resp.status_code != 400:
            failures.append(f"{api.route_base} by no_such_column: {resp.status_code}")
    assert not failures, "\n".join(failures)


UNOFFERED = ["no_such_column", "connected", "category", "id;drop", "__class__", ""]


@pytest.mark.parametrize("url,view,direction", [
    ("/productview/list/", "ProductView", "asc"), ("/channelview/list/", "ChannelView", "desc"),
    ("/orderview/list/", "OrderView", "sideways"),
    ("/users/list/", "OrderHubUserDBModelView", "asc"),
    ("/roles/list/", "OrderHubRoleModelView", "asc"),
    ("/productview/export_csv", "ProductView", "asc"),
])
def test_a_sort_the_list_does_not_offer_keeps_its_default_order(shop, url, view, direction):
    client = shop.test_client()
    login(client, "admin")
    default = client.get(url)
    for column in UNOFFERED:
        resp = client.get(f"{url}?_oc_{view}={column}&_od_{view}={direction}")
        assert resp.status_code == 200, (column, resp.status_code)
        assert resp.get_data() == default.get_data() if "csv" in url else \
            _record_ids(resp) == _record_ids(default), column


def _record_ids(resp) -> list[str]:
    return re.findall(r"/show/(\d+)", resp.get_data(as_text=True))


def _page_ids(client, list_url: str, view: str, column: str, direction: str) -> list[int]:
    resp = client.get(f"{list_url}?_oc_{view}={column}&_od_{view}={direction}&psize_{view}=100")
    assert resp.status_code == 200
    seen: list[int] = []
    for pk in map(int, _record_ids(resp)):
        if pk not in seen:
            seen.append(pk)
    assert seen, f"{list_url} shows no rows"
    return seen


def _in_order(values: list, direction: str) -> bool:
    """Values as a person expects them sorted: ascending or descending, empty ones last."""
    present = [v for v in values if v is not None]
    empty_at_end = values[len(present):] == [None] * (len(values) - len(present))
    return empty_at_end and present == sorted(present, reverse=direction == "desc")


def _margin(product):
    text = product.margin
    return None if text == "–" else Decimal(text.split()[0])


def _stock_rank(line):
    status = str(line.stock_status)
    if status == "unknown SKU":
        return (0, 0)
    if status.startswith("short by"):
        return (1, -int(status.split()[-1]))
    return (2, 0) if status == "reserved" else (3, 0)


def _progress(job):
    return None if not job.progress_total else (job.progress_done / job.progress_total,
                                                job.progress_total)


COMPUTED = [  # (list, view, column, model, the value a person reads, as it sorts)
    ("/productview/list/", "ProductView", "profit", "Product", lambda p: p.profit),
    ("/productview/list/", "ProductView", "margin", "Product", _margin),
    ("/productvariantview/list/", "ProductVariantView", "price", "ProductVariant",
     lambda v: v.price),
    ("/orderlineview/list/", "OrderLineView", "stock_status", "OrderLine", _stock_rank),
    ("/codreconciliationlineview/list/", "CodReconciliationLineView", "difference",
     "CodReconciliationLine", lambda line: line.difference),
    ("/jobview/list/", "JobView", "progress", "Job", _progress),
]


@pytest.mark.parametrize("list_url,view,column,model,value", COMPUTED,
                         ids=[f"{c[1]}.{c[2]}" for c in COMPUTED])
def test_computed_columns_sort_in_the_order_a_person_expects(shop, list_url, view, column, model,
                                                             value):
    import app.models as models
    client = shop.test_client()
    login(client, "admin")
    seen = set()
    for direction in DIRECTIONS:
        ids = _page_ids(client, list_url, view, column, direction)
        with shop.app_context():
            klass = getattr(models, model)
            rows = {r.id: r for r in db.session.scalars(sa.select(klass).where(klass.id.in_(ids)))}
            values = [value(rows[i]) for i in ids]
        seen |= set(map(str, values))
        assert _in_order(values, direction), (column, direction, values)
    # a page may hold one value only (100 shipped lines first), but both ends together differ
    assert len(seen) > 1 or len(ids) == 1, f"the demo has nothing to sort by {column}"


def test_categories_sort_by_path_as_a_tree(shop):
    client = shop.test_client()
    login(client, "admin")
    ids = _page_ids(client, "/categoryview/list/", "CategoryView", "path", "asc")
    with shop.app_context():
        from app.models import Category
        paths = [db.session.get(Category, i).path for i in ids]
    assert any(" › " in p for p in paths), "the demo has no sub-category"
    for before, after in zip(paths, paths[1:]):  # each parent right before its children
        parent = after.rpartition(" › ")[0]
        assert not parent or parent in paths[:paths.index(after)], paths
    roots = [p for p in paths if " › " not in p]
    assert roots == sorted(roots, key=str.casefold) or roots == sorted(roots), roots
