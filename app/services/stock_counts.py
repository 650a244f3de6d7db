"""Periodic stock counts (kiểm kê): draft → counted → posted.

The draft snapshots what the system thinks is on hand, the sheet is printed and counted, the figures
are entered, and posting writes count moves that set on hand to the counted figure.

Posting rule, decided here: the count move is ``counted − on hand at posting time`` (computed with the
row locked), not ``counted − snapshot``, because the SPEC says posting *sets* on hand to what was
counted; the variance reported to the seller is ``counted − snapshot`` as on the printed sheet. A
count below what open orders hold reserved is refused: the seller must cancel, edit or re-check those
orders first, since we cannot silently take goods away from orders already promised them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models import (Category, MoveKind, Product, ProductVariant, StockCount, StockCountLine,
                        StockCountStatus, StockLevel, Warehouse)
from app.models.base import utcnow
from app.pdf import render_pdf
from app.services.actor import current_actor
from app.services.editing import check_version
from app.services.errors import InvalidTransition, NotFound, ValidationError
from app.services.ledger import MoveReference, post_move, read_level, use_case

C = StockCountStatus


@dataclass(frozen=True)
class Variance:
    variant_id: int
    sku: str
    system_quantity: int    # the snapshot printed on the sheet
    counted_quantity: int
    variance: int           # counted − snapshot
    posted: int             # the count move written (counted − on hand at posting), 0 for none


def _category_and_children(session: Session, category_id: int) -> list[int]:
    ids, frontier = {category_id}, [category_id]
    while frontier:
        frontier = session.scalars(sa.select(Category.id).where(Category.parent_id.in_(frontier))
                                   ).all()
        frontier = [c for c in frontier if c not in ids]
        ids.update(frontier)
    return sorted(ids)


@use_case
def create_stock_count(session: Session, warehouse_id: int, *, category_id: int | None = None,
                       sku_prefix: str | None = None, note: str | None = None) -> StockCount:
    """A draft count of every active variant (or one category with its sub-categories, or SKUs
    starting with a prefix), with today's on-hand figures as the system quantities."""
    if session.get(Warehouse, warehouse_id) is None:
        raise ValidationError("warehouse_id", f"Warehouse #{warehouse_id} does not exist.")
    level = StockLevel.__table__
    query = (sa.select(ProductVariant.id, sa.func.coalesce(level.c.on_hand, 0))
             .join(Product, Product.id == ProductVariant.product_id)
             .outerjoin(level, sa.and_(level.c.variant_id == ProductVariant.id,
                                       level.c.warehouse_id == warehouse_id))
             .where(sa.or_(ProductVariant.active, level.c.on_hand > 0))
             .order_by(ProductVariant.sku))
    scope = []
    if category_id is not None:
        query = query.where(Product.category_id.in_(_category_and_children(session, category_id)))
        scope.append(f"category #{category_id}")
    if sku_prefix:
        query = query.where(ProductVariant.sku.startswith(sku_prefix.strip(), autoescape=True))
        scope.append(f"SKU {sku_prefix.strip()}*")
    lines = [StockCountLine(variant_id=vid, system_quantity=qty)
             for vid, qty in session.execute(query)]
    if not lines:
        raise ValidationError("sku_prefix" if sku_prefix else "category_id",
                              "No product variant matches; nothing to count.")
    count = StockCount(warehouse_id=warehouse_id, status=C.DRAFT, note=note,
                       scope=", ".join(scope) or "all variants", lines=lines)
    session.add(count)
    return count


def _load_count(session: Session, count_id: int) -> StockCount:
    count = session.scalars(sa.select(StockCount).where(StockCount.id == count_id)
                            .options(selectinload(StockCount.lines)
                                     .selectinload(StockCountLine.variant))
                            .with_for_update(of=StockCount)
                            .execution_options(populate_existing=True)).first()
    if count is None:
        raise NotFound(f"Stock count #{count_id} does not exist.")
    return count


@use_case
def enter_counts(session: Session, count_id: int, counted: Mapping[int, int], *,
                 version: int | None = None) -> StockCount:
    """Record counted quantities: ``counted`` maps variant id → units found on the shelf."""
    count = _load_count(session, count_id)
    check_version(count, version, "stock count")
    if count.status != C.DRAFT:
        raise InvalidTransition("enter counts on", str(count.status), "stock count")
    lines = {ln.variant_id: ln for ln in count.lines}
    for variant_id, qty in counted.items():
        line = lines.get(variant_id)
        if line is None:
            raise ValidationError(f"counted[{variant_id}]", "This variant is not on the count.")
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 0:
            raise ValidationError(f"counted[{line.variant.sku}]", "Enter a whole number ≥ 0.")
        line.counted_quantity = qty
    count.updated_at = utcnow()
    return count


@use_case
def finish_count(session: Session, count_id: int, *, version: int | None = None) -> StockCount:
    """draft → counted, once every line has a counted figure."""
    count = _load_count(session, count_id)
    check_version(count, version, "stock count")
    if count.status != C.DRAFT:
        raise InvalidTransition("finish", str(count.status), "stock count")
    missing = [ln.variant.sku for ln in count.lines if ln.counted_quantity is None]
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ValidationError("counted_quantity", f"Not counted yet: {', '.join(missing[:5])}{more}.")
    count.status = C.COUNTED
    count.counted_at = utcnow()
    return count


@use_case
def post_stock_count(session: Session, count_id: int, *,
                     version: int | None = None) -> list[Variance]:
    """counted → posted: count moves set on hand to the counted figures; returns the variances."""
    count = _load_count(session, count_id)
    check_version(count, version, "stock count")
    if count.status != C.COUNTED:
        raise InvalidTransition("post", str(count.status), "stock count")
    ref = MoveReference("stock_count", count.id, count.number)
    out = []
    for line in sorted(count.lines, key=lambda ln: ln.variant_id):
        on_hand, reserved = read_level(session, line.variant_id, count.warehouse_id, lock=True)
        if line.counted_quantity < reserved:
            raise ValidationError(
                f"counted[{line.variant.sku}]",
                f"{line.variant.sku}: counted {line.counted_quantity} but {reserved} are reserved "
                "for open orders. Cancel or edit those orders (or count again) before posting.")
        delta = line.counted_quantity - on_hand
        if delta:
            post_move(session, line.variant_id, count.warehouse_id, delta, MoveKind.COUNT,
                      reference=ref, note=f"Counted {line.counted_quantity}, system {on_hand}")
        out.append(Variance(line.variant_id, line.variant.sku, line.system_quantity,
                            line.counted_quantity, line.variance, delta))
    count.status = C.POSTED
    count.posted_at = utcnow()
    count.posted_by_id = current_actor().user_id
    return out


@use_case
def cancel_stock_count(session: Session, count_id: int) -> StockCount:
    count = _load_count(session, count_id)
    if count.status not in (C.DRAFT, C.COUNTED):
        raise InvalidTransition("cancel", str(count.status), "stock count")
    count.status = C.CANCELLED
    return count


def render_count_sheet(count: StockCount) -> bytes:
    """The printable sheet: SKU, name, system quantity and a blank (or filled) counted column."""
    lines = sorted(count.lines, key=lambda ln: ln.variant.sku if ln.variant else "")
    return render_pdf("pdf/count_sheet.html", count=count, lines=lines,
                      printed_at=utcnow().strftime("%Y-%m-%d %H:%M UTC"))
