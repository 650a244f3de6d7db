"""Warehouse scope, declared once per model and applied by the base view and API classes.

A clerk assigned to warehouses (``warehouse_user``) sees and touches only what belongs to them:
their stock, counts, purchases and orders, and everything reached through those — an order's lines,
shipments (and label PDFs), invoices (and their PDFs), tracking events, returns, COD statement
lines, the jobs that worked on them and their audit trail. Admins, supervisors and clerks with no
assignment see everything (``app.security.row_rules.assigned_warehouse_ids``).

``SCOPES`` says, for every mapped model, how a row leads to its warehouse (or that it does not, and
why). ``OrderHubModelView`` and ``OrderHubRestApi`` add the resulting filter to their base filters,
so lists, record pages, edit and delete, actions, CSV exports, PDFs, related tabs and the choices of
relation fields all go through it; writes are refused when they point at a record out of scope. A
view or API over a model missing from ``SCOPES`` stops the app at start, and
tests/integration/test_warehouse_scope.py walks every registered view and resource as a scoped
clerk.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext

from app import models as m
from app.security.row_rules import assigned_warehouse_ids
from app.services.errors import N_, ValidationError
from app.views.interface import MAX_ID


@dataclass(frozen=True)
class Warehouse:
    """The row names its warehouse in ``column``; ``allow_empty``: a row with none yet stays
    visible (an order whose warehouse someone still has to choose)."""
    column: str
    allow_empty: bool = False


@dataclass(frozen=True)
class Via:
    """The row belongs to whatever its many-to-one relation ``relation`` leads to."""
    relation: str


@dataclass(frozen=True)
class EveryOf:
    """The row is in scope when every row of its one-to-many ``relation`` is (a COD statement
    whose parcels all left from the user's warehouses)."""
    relation: str


@dataclass(frozen=True)
class Condition:
    """A rule no relation expresses: ``build(ids)`` returns the SQL condition."""
    build: Callable[[list[int]], sa.ColumnElement]
    why: str


@dataclass(frozen=True)
class Unscoped:
    """Shop-wide records, visible to everyone their role lets read them; ``why`` says why."""
    why: str


SHOP_WIDE = Unscoped("the shop's catalogue, contacts and settings are shared by all warehouses")
SECURITY = Unscoped("users, roles and permissions: only admins reach them")

# Which record a job works on, by its target type (Job.target_type, JobTarget.target_type).
JOB_TARGETS = {"order": m.Order, "shipment": m.Shipment, "invoice": m.Invoice,
               "purchase_order": m.PurchaseOrder, "goods_receipt": m.GoodsReceipt,
               "stock_count": m.StockCount, "return_request": m.ReturnRequest,
               "channel": m.Channel}


def _visible_jobs(ids):
    """A job is in scope unless one of the records it works on is out of scope."""
    target = m.JobTarget
    outside = [sa.and_(target.target_type == kind, target.target_id.notin_(in_scope_ids(model, ids)))
               for kind, model in JOB_TARGETS.items() if scoped(model)]
    return ~sa.exists().where(target.job_id == m.Job.id, sa.or_(*outside))


def _visible_audit(ids):
    """An audit row is in scope when its record is (or, deleted, its parent document is) and its
    parent document is."""
    log = m.AuditLog
    own, parent = [], []
    records = [model for model, rule in SCOPES.items() if isinstance(rule, (Warehouse, Via, EveryOf))]
    for model in records:
        table = model.__tablename__
        gone = ~sa.exists().where(sa.inspect(model).primary_key[0] == log.record_id)
        own.append(sa.and_(log.table_name == table,
                           sa.or_(log.record_id.in_(in_scope_ids(model, ids)),
                                  sa.and_(gone, log.parent_table.isnot(None)))))
        parent.append(sa.and_(log.parent_table == table,
                              log.parent_id.in_(in_scope_ids(model, ids))))
    tables = [model.__tablename__ for model in records]
    return sa.and_(sa.or_(log.table_name.notin_(tables), *own),
                   sa.or_(log.parent_table.is_(None), log.parent_table.notin_(tables), *parent))


def _by_job(column):
    return lambda ids: column.in_(sa.select(m.Job.id).where(_visible_jobs(ids)))


SCOPES: dict[type, object] = {
    # Inventory
    m.Warehouse: Warehouse("id"),
    m.StockLevel: Warehouse("warehouse_id"),
    m.StockMove: Warehouse("warehouse_id"),
    m.StockCount: Warehouse("warehouse_id"),
    m.StockCountLine: Via("stock_count"),
    # Purchasing
    m.PurchaseOrder: Warehouse("warehouse_id"),
    m.PurchaseOrderLine: Via("purchase_order"),
    m.GoodsReceipt: Warehouse("warehouse_id"),
    m.GoodsReceiptLine: Via("goods_receipt"),
    # Sales and everything hanging off an order
    m.Order: Warehouse("warehouse_id", allow_empty=True),
    m.OrderLine: Via("order"),
    m.ReturnRequest: Via("order"),
    m.ReturnLine: Via("return_request"),
    m.Shipment: Via("order"),
    m.TrackingEvent: Via("shipment"),
    m.CodReconciliationLine: Via("shipment"),
    m.CodReconciliation: EveryOf("lines"),
    m.Invoice: Via("order"),
    m.InvoiceLine: Via("invoice"),
    # Background work and trails about those records
    m.Job: Condition(_visible_jobs, "a job is hidden when it worked on a record out of scope"),
    m.JobTarget: Unscoped("read only through its job"),
    m.InvoicePrint: Condition(_by_job(m.InvoicePrint.job_id), "a print run is its job's"),
    m.InvoicePrintPart: Via("print_run"),
    m.AuditLog: Condition(_visible_audit, "the trail of a record follows the record"),
    m.IntegrationLog: Condition(_by_job(m.IntegrationLog.job_id), "an exchange with a provider carries buyers' data: a scoped "
                                "user sees those of the jobs in scope only"),
    # Shop-wide
    m.Product: SHOP_WIDE, m.ProductVariant: SHOP_WIDE, m.ProductMedia: SHOP_WIDE,
    m.Category: SHOP_WIDE, m.Brand: SHOP_WIDE, m.Supplier: SHOP_WIDE, m.Customer: SHOP_WIDE,
    m.CustomerAddress: SHOP_WIDE, m.InvoiceSeries: SHOP_WIDE, m.DocumentSequence: SHOP_WIDE,
    m.ProviderAccount: Unscoped("carrier and e-invoice accounts: only admins reach them"),
    m.Channel: Unscoped("a sales channel is the shop's and sells from several warehouses"),
    m.ChannelListing: Unscoped("a listing is a channel's, not a warehouse's"),
    m.WebhookEvent: Unscoped("a channel's notification arrives before any warehouse is chosen"),
    m.AuthSession: SECURITY, m.RefreshToken: SECURITY,
    # Running counts (app/models/tallies.py): read by the landing page only, by warehouse_id.
    m.OrderTally: Warehouse("warehouse_id", allow_empty=True),
    m.SalesTally: Warehouse("warehouse_id", allow_empty=True),
    m.ShipmentTally: Unscoped("parcels of the whole shop by state; a clerk's come from the orders"),
    m.SizeChartRow: SHOP_WIDE, m.ShopPolicy: SHOP_WIDE,
    m.Conversation: Unscoped("a shopper's conversation happens before any warehouse is chosen"),
    m.ChatMessage: Unscoped("read through its conversation"),
    m.SaleDraft: Unscoped("a sale being collected has no warehouse until it is an order"),
}


def declaration(model):
    """The model's declared scope; a model nobody declared is an error, not "visible"."""
    try:
        return SCOPES[model]
    except KeyError:
        if model.__module__.startswith("flask_appbuilder."):
            return SECURITY
        raise LookupError(f"{model.__name__} has no warehouse scope: declare it in "
                          "app/security/scope.py SCOPES") from None


def scoped(model) -> bool:
    return not isinstance(declaration(model), Unscoped)


def condition(model, ids: list[int]) -> sa.ColumnElement:
    """SQL true for the rows of ``model`` within warehouses ``ids``."""
    rule = declaration(model)
    if isinstance(rule, Warehouse):
        column = getattr(model, rule.column)
        inside = column.in_(ids)
        return sa.or_(inside, column.is_(None)) if rule.allow_empty else inside
    if isinstance(rule, Via):
        rel = getattr(model, rule.relation)
        return rel.has(condition(rel.property.mapper.class_, ids))
    if isinstance(rule, EveryOf):
        rel = getattr(model, rule.relation)
        return ~rel.any(~condition(rel.property.mapper.class_, ids))
    if isinstance(rule, Condition):
        return rule.build(ids)
    return sa.true()


def in_scope_ids(model, ids):
    key = sa.inspect(model).primary_key[0]
    return sa.select(key).where(condition(model, ids))


def visible(session, model, pk) -> bool:
    """Whether record ``pk`` of ``model`` is one the signed-in user may see (False if missing)."""
    key = sa.inspect(model).primary_key[0]
    where = [key == pk]
    ids = assigned_warehouse_ids()
    if ids is not None:
        where.append(condition(model, ids))
    return bool(session.scalar(sa.select(sa.exists().where(*where))))


def restrict(statement, model):
    """``statement`` (a select of ``model``: the warehouses a form offers) limited to the
    signed-in user's scope."""
    ids = assigned_warehouse_ids()
    if ids is None or not scoped(model):
        return statement
    return statement.where(condition(model, ids))


def check_declared(models) -> None:
    """Raise LookupError for any of ``models`` with no declaration (called at start-up)."""
    for model in models:
        declaration(model)


# --- applied by the base view and API classes ------------------------------------------------
class InScope(BaseFilter):
    """FAB filter: keeps the rows within the signed-in user's warehouses (no-op without a scope)."""

    name = lazy_gettext("In my warehouses")
    arg_name = "scope"

    def apply(self, query, value):
        ids = assigned_warehouse_ids()
        if ids is None:
            return query
        return query.filter(condition(self.model, ids))


def base_filters(model) -> list:
    """The filter a view or API over ``model`` adds to its ``base_filters``."""
    if not scoped(model):
        return []
    return [[sa.inspect(model).primary_key[0].key, InScope, None]]


def relation_filters(model, columns) -> dict[str, list]:
    """``*_query_rel_fields`` for the relation columns of ``model`` that lead to scoped records:
    a form's drop-down (and what it accepts) and the API's related values stay within scope."""
    mapper = sa.inspect(model)
    out = {}
    for name in columns or ():
        rel = mapper.relationships.get(name) if isinstance(name, str) else None
        if rel is not None and scoped(rel.mapper.class_):
            out[name] = base_filters(rel.mapper.class_)
    return out


def merge_relation_filters(current: dict | None, model, columns) -> dict:
    merged = {k: list(v) for k, v in (current or {}).items()}
    for name, filters in relation_filters(model, columns).items():
        merged[name] = merged.get(name, []) + filters
    return merged


def out_of_scope_reference(session, model, values: dict) -> str | None:
    """The first relation (by name) among ``values`` that points at a record the user may not
    see, or None. ``values`` maps relation names to a record or its id, or FK columns to ids."""
    ids = assigned_warehouse_ids()
    if ids is None:
        return None
    mapper = sa.inspect(model)
    for rel in mapper.relationships:
        if rel.direction.name != "MANYTOONE" or not scoped(rel.mapper.class_):
            continue
        fk = next(iter(rel.local_columns)).key
        if rel.key in values:
            value = values[rel.key]
        elif fk in values:
            value = values[fk]
        else:
            continue
        target_id = getattr(value, "id", value)
        if target_id in (None, ""):
            continue
        if isinstance(target_id, str) and target_id.strip().isdigit():
            target_id = int(target_id)  # as the services read an id given as text
        if not isinstance(target_id, int) or isinstance(target_id, bool) \
                or abs(target_id) > MAX_ID:
            continue  # not an id any row has: the write's own validation refuses it
        target = rel.mapper.class_
        key = sa.inspect(target).primary_key[0]
        visible = session.scalar(sa.select(sa.exists().where(key == target_id,
                                                             condition(target, ids))))
        exists = session.scalar(sa.select(sa.exists().where(key == target_id)))
        if exists and not visible:
            return rel.key
    return None


def item_references(item) -> dict:
    """The many-to-one relations of a loaded or new record, as ``out_of_scope_reference`` reads
    them (the related record if set, else its foreign key)."""
    mapper = sa.inspect(type(item))
    out = {}
    for rel in mapper.relationships:
        if rel.direction.name != "MANYTOONE":
            continue
        value = item.__dict__.get(rel.key)
        if value is None:
            value = getattr(item, next(iter(rel.local_columns)).key, None)
        out[rel.key] = value
    return out


# FAB's attribute names for the relation-field filters of forms (views) and bodies (APIs).
VIEW_RELATION_FILTERS = ("add_form_query_rel_fields", "edit_form_query_rel_fields",
                         "search_form_query_rel_fields")
API_RELATION_FILTERS = ("add_query_rel_fields", "edit_query_rel_fields")


def apply_to(view, relation_attrs) -> None:
    """Give a view or API (before FAB's own __init__ reads them) the scope of its model: the base
    filter, and the same filter on every relation field leading to a scoped model."""
    model = view.datamodel.obj
    view.base_filters = list(view.base_filters or []) + base_filters(model)
    relations = [rel.key for rel in sa.inspect(model).relationships]
    for attr in relation_attrs:
        setattr(view, attr, merge_relation_filters(getattr(view, attr, None), model, relations))


def refuse_out_of_scope_references(session, model, values: dict) -> None:
    """Raise a ValidationError naming the relation when a write points at a record out of scope."""
    field = out_of_scope_reference(session, model, values)
    if field is not None:
        raise ValidationError(field, N_("Choose one of your own warehouses' records."))
