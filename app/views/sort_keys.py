"""How a list sorts by a column: stored columns by themselves, computed ones (a product's profit,
a job's progress) by the SQL expression that gives the order a person expects.

A list offers a column header for sorting only when the column is stored or has a key here; a
sort parameter naming anything else (a hand-typed URL, a column removed since) is ignored and the
list keeps its default order. Computed keys put the rows that have no value ("–") last, in both
directions and on every database.
"""
from __future__ import annotations

from typing import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.models import (Category, CodReconciliationLine, Invoice, Job, OrderLine, Product,
                        ProductVariant, PurchaseOrderLine, Shipment, StockCountLine,
                        TrackingEvent)

SortKey = Callable[[], Sequence[sa.ColumnElement]]


def _product_profit():
    return [sa.func.coalesce(Product.selling_price, 0) - sa.func.coalesce(Product.cost_price, 0)]


def _product_margin():
    price = sa.func.coalesce(Product.selling_price, 0)
    profit = price - sa.func.coalesce(Product.cost_price, 0)
    return [sa.case((price > 0, sa.cast(profit, sa.Float) / sa.cast(price, sa.Float)), else_=None)]


def _variant_price():
    own_product = sa.select(Product.selling_price).where(Product.id == ProductVariant.product_id)
    return [sa.func.coalesce(ProductVariant.selling_price, own_product.scalar_subquery())]


def _category_path():
    """The tree's order: each category right after its parent, siblings by name. Every category
    gets a key made of its ancestors' ranks by name, fixed width ("1000003" per level), so the
    database's own collation orders the names and the key orders the tree."""
    ranked = sa.select(Category.id, Category.parent_id,
                       sa.cast(1_000_000 + sa.func.dense_rank().over(order_by=Category.name),
                               sa.String).label("rank")).cte("category_rank")
    tree = sa.select(ranked.c.id, ranked.c.rank.label("key")) \
        .where(ranked.c.parent_id.is_(None)).cte("category_tree", recursive=True)
    child = aliased(ranked)
    tree = tree.union_all(sa.select(child.c.id, tree.c.key + child.c.rank)
                          .where(child.c.parent_id == tree.c.id))
    return [sa.select(tree.c.key).where(tree.c.id == Category.id).scalar_subquery()]


def _order_line_stock_status():
    """The lines that need someone first: unknown SKU, then short (most short first), then
    reserved, then shipped."""
    short_by = OrderLine.quantity - OrderLine.reserved_quantity - OrderLine.shipped_quantity
    rank = sa.case((OrderLine.variant_id.is_(None), 0),
                   (OrderLine.shipped_quantity >= OrderLine.quantity, 3),
                   (short_by <= 0, 2), else_=1)
    return [rank, sa.case((rank == 1, -short_by), else_=0)]


def _count_variance():
    return [StockCountLine.counted_quantity - StockCountLine.system_quantity]


def _po_line_outstanding():
    left = PurchaseOrderLine.quantity - PurchaseOrderLine.received_quantity
    return [sa.case((left > 0, left), else_=0)]


def _cod_difference():
    return [sa.func.coalesce(CodReconciliationLine.cod_received, 0)
            + sa.func.coalesce(CodReconciliationLine.fee, 0)
            - sa.func.coalesce(CodReconciliationLine.expected_cod, 0)]


def _invoice_number():
    return [Invoice.template, Invoice.series, Invoice.number]


def _job_progress():
    """Share done, then how much there is to do; jobs without a count ("—") last."""
    share = sa.case((Job.progress_total > 0,
                     sa.cast(Job.progress_done, sa.Float) / sa.cast(Job.progress_total, sa.Float)),
                    else_=None)
    return [share, sa.case((Job.progress_total > 0, Job.progress_total), else_=None)]


COMPUTED: dict[type, dict[str, SortKey]] = {
    Product: {"profit": _product_profit, "margin": _product_margin},
    ProductVariant: {"price": _variant_price},
    Category: {"path": _category_path},
    OrderLine: {"stock_status": _order_line_stock_status},
    StockCountLine: {"variance": _count_variance},
    PurchaseOrderLine: {"outstanding": _po_line_outstanding},
    CodReconciliationLine: {"difference": _cod_difference},
    Invoice: {"display_number": _invoice_number},
    Shipment: {"status_reading": lambda: [Shipment.status, Shipment.carrier_status]},
    TrackingEvent: {"status_reading": lambda: [TrackingEvent.status, TrackingEvent.carrier_status]},
    Job: {"progress": _job_progress, "title_phrase": lambda: [Job.title],
          "error_phrase": lambda: [Job.error], "state": lambda: [Job.status, Job.attempts]},
}


def computed(model, column: str) -> SortKey | None:
    for klass in getattr(model, "__mro__", ()):
        key = COMPUTED.get(klass, {}).get(column)
        if key is not None:
            return key
    return None


def is_stored(model, column: str) -> bool:
    """A column of the table itself, or of a record it points to ("customer.name"), of a type
    the database can order (a JSON document cannot be on PostgreSQL)."""
    mapper = sa.inspect(model, raiseerr=False)
    if mapper is None or not column:
        return False
    head, _, rest = column.partition(".")
    if rest:
        rel = mapper.relationships.get(head)
        if rel is None or rel.uselist or "." in rest:
            return False
        mapper, head = rel.mapper, rest
    attr = mapper.column_attrs.get(head)
    if attr is None:
        return False
    kind = attr.columns[0].type
    if isinstance(kind, sa.types.TypeDecorator):  # e.g. encrypted credentials: never a sort key
        return False
    return not isinstance(kind, (sa.JSON, sa.LargeBinary, sa.PickleType))


def is_sortable(model, column: str) -> bool:
    return is_stored(model, column) or computed(model, column) is not None


def order_clauses(key: SortKey, direction: str) -> list:
    """ORDER BY terms for a computed key: empty values last, then the values in ``direction``."""
    out = []
    for expr in key():
        out.append(sa.case((expr.is_(None), 1), else_=0))
        out.append(expr.desc() if direction == "desc" else expr.asc())
    return out


class CheckedSort:
    """A Flask-AppBuilder model view mix-in: a list (or a record page's related list) asked to
    sort by a column it does not offer keeps its default order instead of failing."""

    def _get_list_widget(self, filters, *args, order_column="", order_direction="", **kwargs):
        if order_column and (order_column not in (self.order_columns or ())
                             or order_direction not in ("asc", "desc")):
            order_column, order_direction = "", ""
        return super()._get_list_widget(filters, *args, order_column=order_column,
                                        order_direction=order_direction, **kwargs)
