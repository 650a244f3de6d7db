"""Periodic stock counts (kiểm kê): draft → counted → posted.

The draft snapshots what the system thinks is on hand, the sheet is printed and counted, the figures
are entered, and posting writes count moves for the differences.

Posting rule: the count move is the variance ``counted − snapshot``, the difference the shelf showed
against the figure printed on the sheet. Goods that moved between the snapshot and posting (an order
shipped, a receipt came in) keep their own moves: on hand ends at ``counted + what moved since``, so
a parcel shipped while the count waited for approval is not added back. A count that would leave
less on hand than open orders hold reserved is refused: the seller must cancel, edit or re-check
those orders first, since we cannot silently take goods away from orders already promised them.
Once counted (finished), the figures are frozen; once posted, they are in the ledger.
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
from app.services.errors import InvalidTransition, N_, NotFound, ValidationError
from app.services.ledger import MoveReference, post_move, read_level, use_case

C = StockCountStatus


@dataclass(frozen=True)
class Variance:
    variant_id: int
    sku: str
    system_quantity: int    # the snapshot printed on the sheet
    counted_quantity: int
    variance: int           # counted − snapshot: the count move written (0: none)
    posted: int             # the same figure, as posted to the ledger
    moved_since: int = 0    # what other moves changed on hand between snapshot and posting
    on_hand_after: int = 0  # on hand once posted


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
    if isinstance(warehouse_id, bool) or not str(warehouse_id or "").strip().isdigit() or \
            session.get(Warehouse, int(warehouse_id)) is None:
        raise ValidationError("warehouse_id", N_("Warehouse #%(id)s does not exist."),
                              id=warehouse_id)
    warehouse_id = int(warehouse_id)
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
                              N_("No product variant matches; nothing to count."))
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
        raise NotFound(N_("Stock count #%(id)s does not exist."), id=count_id)
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
            raise ValidationError(f"counted[{variant_id}]", N_("This variant is not on the count."))
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 0:
            raise ValidationError(f"counted[{line.variant.sku}]", N_("Enter a whole number ≥ 0."))
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
        raise ValidationError("counted_quantity", N_("Not counted yet: %(skus)s (%(n)s line(s))."),
                              skus=", ".join(missing[:5]) + (" …" if len(missing) > 5 else ""),
                              n=len(missing))
    count.status = C.COUNTED
    count.counted_at = utcnow()
    return count


@use_case
def post_stock_count(session: Session, count_id: int, *,
                     version: int | None = None) -> list[Variance]:
    """counted → posted: one count move per line that differs from the sheet (counted − snapshot);
    returns the variances with what moved meanwhile and the resulting on hand."""
    count = _load_count(session, count_id)
    check_version(count, version, "stock count")
    if count.status != C.COUNTED:
        raise InvalidTransition("post", str(count.status), "stock count")
    ref = MoveReference("stock_count", count.id, count.number)
    out = []
    for line in sorted(count.lines, key=lambda ln: ln.variant_id):
        on_hand, reserved = read_level(session, line.variant_id, count.warehouse_id, lock=True)
        delta = line.counted_quantity - line.system_quantity
        after = on_hand + delta
        if after < reserved:
            raise ValidationError(
                f"counted[{line.variant.sku}]",
                N_("%(sku)s: counted %(counted)s but %(reserved)s are reserved for open orders "
                   "(on hand would become %(after)s). Cancel or edit those orders (or count "
                   "again) before posting."),
                sku=line.variant.sku, counted=line.counted_quantity, reserved=reserved,
                after=after)
        if delta:
            post_move(session, line.variant_id, count.warehouse_id, delta, MoveKind.COUNT,
                      reference=ref, note=f"Counted {line.counted_quantity}, sheet "
                                          f"{line.system_quantity}")
        out.append(Variance(line.variant_id, line.variant.sku, line.system_quantity,
                            line.counted_quantity, delta, delta,
                            moved_since=on_hand - line.system_quantity, on_hand_after=after))
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


def render_count_sheet(count: StockCount, *, blind: bool = False) -> bytes:
    """The printable sheet: SKU, name, system quantity and a blank (or filled) counted column.

    A blind sheet prints no system figure (nor earlier counts), so the counter writes what is on
    the shelf rather than confirming what the system expects.
    """
    lines = sorted(count.lines, key=lambda ln: ln.variant.sku if ln.variant else "")
    return render_pdf("pdf/count_sheet.html", count=count, lines=lines, blind=blind,
                      printed_at=utcnow().strftime("%Y-%m-%d %H:%M UTC"))


def _draft_count(session: Session, count_id) -> StockCount:
    if count_id is None or not str(count_id).isdigit():
        raise ValidationError("stock_count", N_("Choose the stock count."))
    count = _load_count(session, int(count_id))
    if count.status != C.DRAFT:
        raise InvalidTransition(N_("change the lines of"), str(count.status), "stock count")
    return count


def _count_line(session: Session, line_id) -> StockCountLine:
    line = session.get(StockCountLine, line_id)
    if line is None:
        raise NotFound(N_("Count line #%(id)s does not exist."), id=line_id)
    return line


@use_case
def set_counted(session: Session, line_id, counted) -> StockCountLine:
    """One line's counted figure (the count lines' edit form), while the count is a draft."""
    line = _count_line(session, line_id)
    if isinstance(counted, str) and counted.strip().isdigit():
        counted = int(counted)
    enter_counts(session, line.stock_count_id, {line.variant_id: counted}, commit=False)
    return line


@use_case
def add_count_line(session: Session, count_id, *, variant_id, counted=None) -> StockCountLine:
    """A variant the scope missed, added to a draft count with today's on hand as its snapshot."""
    count = _draft_count(session, count_id)
    variant_id = getattr(variant_id, "id", variant_id)
    if variant_id is None or not str(variant_id).isdigit() or \
            session.get(ProductVariant, int(variant_id)) is None:
        raise ValidationError("variant", N_("Choose a product variant for this line."))
    if any(ln.variant_id == int(variant_id) for ln in count.lines):
        raise ValidationError("variant", N_("This variant is already on the count."))
    on_hand, _ = read_level(session, int(variant_id), count.warehouse_id)
    line = StockCountLine(variant_id=int(variant_id), system_quantity=on_hand)
    count.lines.append(line)
    session.flush()
    if counted is not None:
        enter_counts(session, count.id, {line.variant_id: counted}, commit=False)
    return line


@use_case
def remove_count_line(session: Session, line_id) -> None:
    line = _count_line(session, line_id)
    count = _draft_count(session, line.stock_count_id)
    count.lines.remove(line)


@use_case
def edit_count_note(session: Session, count_id: int, note, *, version=None) -> StockCount:
    """The note is all that may be changed by hand; warehouse and scope made the lines."""
    count = _load_count(session, count_id)
    check_version(count, version, "stock count")
    if note is not None and not isinstance(note, str):
        raise ValidationError("note", N_("Must be text."))
    count.note = (note or "").strip() or None
    return count
