"""Buying from suppliers when stock runs short: draft purchase orders in one step (from an order's
shortages or from the low-stock list), approve, cancel, and receive goods (partly or in full).

Receiving posts receipt moves through the ledger in the same transaction as the receipt and the PO's
received quantities, so stock and paperwork never disagree. Orders waiting for the goods are served
afterwards by ``orders.reserve_waiting_orders`` (oldest confirmation first); the receiving job or view
calls it after the receipt committed.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models import (GoodsReceipt, GoodsReceiptLine, GoodsReceiptStatus, MoveKind, Order,
                        OrderLine, OrderStatus, ProductVariant, PurchaseOrder, PurchaseOrderLine,
                        PurchaseOrderStatus, StockLevel, Supplier)
from app.models.base import utcnow
from app.services.actor import current_actor
from app.services.editing import check_version
from app.services.errors import InvalidTransition, N_, NotFound, ValidationError
from app.services.ledger import MoveReference, post_move, use_case
from app.services.orders import load_order, require_state
from app.services.pricing import purchase_total

P = PurchaseOrderStatus
OPEN_PO = (P.DRAFT, P.CONFIRMED, P.PARTIALLY_RECEIVED)


def _supplier(session: Session, supplier_id, field: str) -> int:
    if isinstance(supplier_id, bool) or not str(supplier_id).strip().isdigit():
        raise ValidationError(field, N_("Choose a supplier."))
    supplier = session.get(Supplier, int(supplier_id))
    if supplier is None or not supplier.active:
        raise ValidationError(field, N_("Supplier #%(id)s does not exist or is inactive."),
                              id=supplier_id)
    return supplier.id


def _supplier_for(session: Session, variant: ProductVariant, supplier_id, chosen) -> int:
    """Whom to buy ``variant`` from: the supplier chosen for this variant (remembered as its
    preferred one for next time), else the one chosen for the whole draft (remembered only where
    the variant had none), else the variant's preferred supplier."""
    own = (chosen or {}).get(variant.id)
    if own not in (None, ""):
        variant.preferred_supplier_id = _supplier(session, own, f"suppliers[{variant.sku}]")
        return variant.preferred_supplier_id
    if supplier_id not in (None, ""):
        sid = _supplier(session, supplier_id, "supplier_id")
        if variant.preferred_supplier_id is None:
            variant.preferred_supplier_id = sid
        return sid
    if variant.preferred_supplier_id is None:
        raise ValidationError("supplier_id", N_("%(sku)s has no preferred supplier: choose the "
                                                "supplier to buy it from."), sku=variant.sku)
    return variant.preferred_supplier_id


def _draft(session: Session, warehouse_id: int, wanted: Mapping[int, int],
           supplier_id, chosen: Mapping | None = None,
           source_order_id: int | None = None) -> list[PurchaseOrder]:
    """One draft PO per supplier for ``wanted`` (variant id → units), priced at the cost price."""
    variants = {v.id: v for v in session.scalars(
        sa.select(ProductVariant).where(ProductVariant.id.in_(list(wanted)))
        .options(selectinload(ProductVariant.product)))}
    by_supplier: dict[int, list[PurchaseOrderLine]] = defaultdict(list)
    for variant_id in sorted(wanted):
        variant = variants[variant_id]
        by_supplier[_supplier_for(session, variant, supplier_id, chosen)].append(
            PurchaseOrderLine(variant_id=variant_id, quantity=wanted[variant_id],
                              unit_price=variant.cost))
    drafts = []
    for sid, lines in sorted(by_supplier.items()):
        po = PurchaseOrder(supplier_id=sid, warehouse_id=warehouse_id, status=P.DRAFT,
                           source_order_id=source_order_id, lines=lines)
        po.total = purchase_total(po.lines)
        session.add(po)
        drafts.append(po)
    return drafts


def on_order(session: Session, warehouse_id: int, variant_ids=None) -> dict[int, int]:
    """Variant id → units still expected on open purchase orders for the warehouse (drafts too:
    a draft is a decision to buy already taken)."""
    stmt = (sa.select(PurchaseOrderLine.variant_id,
                      sa.func.sum(PurchaseOrderLine.quantity - PurchaseOrderLine.received_quantity))
            .join(PurchaseOrder).where(PurchaseOrder.warehouse_id == warehouse_id,
                                       PurchaseOrder.status.in_(OPEN_PO))
            .group_by(PurchaseOrderLine.variant_id))
    if variant_ids is not None:
        stmt = stmt.where(PurchaseOrderLine.variant_id.in_(list(variant_ids)))
    return {vid: int(qty) for vid, qty in session.execute(stmt) if qty and qty > 0}


def shortages(session: Session, order: Order) -> dict[int, int]:
    """Variant id → units to buy for this confirmed order: what it is short of, less what is
    already coming (open POs) or free, beyond what older waiting orders need first."""
    short: dict[int, int] = defaultdict(int)
    for line in order.lines:
        if line.variant_id is not None and line.short_by > 0:
            short[line.variant_id] += line.short_by
    if not short:
        return {}
    ids = list(short)
    # Everything the warehouse's processing orders still lack, per variant (this order included).
    waiting = dict(session.execute(
        sa.select(OrderLine.variant_id, sa.func.sum(OrderLine.quantity - OrderLine.reserved_quantity
                                                    - OrderLine.shipped_quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status == OrderStatus.PROCESSING, Order.warehouse_id == order.warehouse_id,
               OrderLine.variant_id.in_(ids))
        .group_by(OrderLine.variant_id)).all())
    level = StockLevel.__table__
    free = dict(session.execute(sa.select(level.c.variant_id, level.c.on_hand - level.c.reserved)
                                .where(level.c.warehouse_id == order.warehouse_id,
                                       level.c.variant_id.in_(ids))).all())
    coming = on_order(session, order.warehouse_id, ids)
    out = {}
    for vid, qty in short.items():
        uncovered = int(waiting.get(vid) or 0) - coming.get(vid, 0) - max(0, free.get(vid) or 0)
        if min(qty, uncovered) > 0:
            out[vid] = min(qty, uncovered)
    return out


@use_case
def draft_purchase_orders_for_order(session: Session, order_id: int, *,
                                    supplier_id: int | None = None,
                                    suppliers: Mapping | None = None) -> list[PurchaseOrder]:
    """Draft what a confirmed order is really short of (one PO per supplier), for its warehouse.

    ``suppliers`` (variant id → supplier id) chooses per variant; ``supplier_id`` for all lines
    without their own choice. Units already on an open PO or free in stock are not bought again.
    """
    order = load_order(session, order_id, lock=False)
    require_state(order, "draft_purchase_order")
    wanted = shortages(session, order)
    if not wanted:
        if any(ln.short_by for ln in order.lines if ln.variant_id is not None):
            raise ValidationError("lines", N_("What order %(number)s is short of is already on "
                                              "open purchase orders or free in stock: re-check "
                                              "its stock instead."), number=order.number)
        raise ValidationError("lines", N_("Order %(number)s is not short of anything."),
                              number=order.number)
    return _draft(session, order.warehouse_id, wanted, supplier_id,
                  {int(k): v for k, v in (suppliers or {}).items() if str(k).isdigit()},
                  source_order_id=order.id)


@dataclass(frozen=True)
class LowStockRow:
    variant: ProductVariant
    available: int
    on_order: int
    to_buy: int      # 0 when what is on order already covers it


def low_stock_rows(session: Session, warehouse_id: int, variant_ids=None) -> list[LowStockRow]:
    """Active variants whose available stock in the warehouse is below their reorder point (or
    the given variants, low or not), with what is on order and what to buy.

    Buys enough to bring available + already on order up to twice the reorder point, so a shortage
    is not ordered twice while a PO is on its way.
    """
    level = StockLevel.__table__
    free = sa.func.coalesce(level.c.on_hand - level.c.reserved, 0)
    stmt = (sa.select(ProductVariant, free)
            .outerjoin(level, sa.and_(level.c.variant_id == ProductVariant.id,
                                      level.c.warehouse_id == warehouse_id))
            .options(selectinload(ProductVariant.product),
                     selectinload(ProductVariant.preferred_supplier))
            .order_by(ProductVariant.sku))
    if variant_ids is None:
        stmt = stmt.where(ProductVariant.active, ProductVariant.reorder_point > 0,
                          free < ProductVariant.reorder_point)
    else:
        stmt = stmt.where(ProductVariant.id.in_(list(variant_ids)))
    rows = session.execute(stmt).all()
    coming = on_order(session, warehouse_id, [v.id for v, _ in rows]) if rows else {}
    out = []
    for variant, avail in rows:
        ordered = coming.get(variant.id, 0)
        low = variant.active and variant.reorder_point > 0 and avail < variant.reorder_point
        to_buy = max(0, 2 * variant.reorder_point - avail - ordered) if low else 0
        out.append(LowStockRow(variant, int(avail), ordered, to_buy))
    return out


def low_stock(session: Session, warehouse_id: int) -> dict[int, int]:
    """Variant id → units to buy for the warehouse's low-stock list."""
    return {r.variant.id: r.to_buy for r in low_stock_rows(session, warehouse_id) if r.to_buy}


@use_case
def draft_purchase_orders_for_low_stock(session: Session, warehouse_id: int, *,
                                        supplier_id: int | None = None,
                                        variant_ids: Iterable[int] | None = None,
                                        suppliers: Mapping | None = None
                                        ) -> list[PurchaseOrder]:
    """Draft POs for the low-stock list (optionally only ``variant_ids``), one per supplier;
    ``suppliers`` chooses per variant (variant id → supplier id), remembered for next time."""
    wanted = low_stock(session, warehouse_id)
    if variant_ids is not None:
        keep = set(variant_ids)
        wanted = {k: v for k, v in wanted.items() if k in keep}
    if not wanted:
        raise ValidationError("variant_ids", N_("Nothing is below its reorder point."))
    return _draft(session, warehouse_id, wanted, supplier_id,
                  {int(k): v for k, v in (suppliers or {}).items() if str(k).isdigit()})


def _load_po(session: Session, po_id: int) -> PurchaseOrder:
    po = session.scalars(sa.select(PurchaseOrder).where(PurchaseOrder.id == po_id)
                         .options(selectinload(PurchaseOrder.lines)).with_for_update(of=PurchaseOrder)
                         .execution_options(populate_existing=True)).first()
    if po is None:
        raise NotFound(N_("Purchase order #%(id)s does not exist."), id=po_id)
    return po


@use_case
def approve_purchase_order(session: Session, po_id: int, *,
                           version: int | None = None) -> PurchaseOrder:
    """draft → confirmed (a Supervisor's action; the role is checked by the web layer)."""
    po = _load_po(session, po_id)
    check_version(po, version, "purchase order")
    if po.status != P.DRAFT:
        raise InvalidTransition("approve", str(po.status), "purchase order")
    if not po.lines:
        raise ValidationError("lines", N_("Add at least one line before approving."))
    po.total = purchase_total(po.lines)
    po.status = P.CONFIRMED
    po.approved_by_id = current_actor().user_id
    po.approved_at = utcnow()
    return po


@use_case
def cancel_purchase_order(session: Session, po_id: int, *,
                          version: int | None = None) -> PurchaseOrder:
    """draft/confirmed → cancelled; once goods arrived, the PO can only be received or left."""
    po = _load_po(session, po_id)
    check_version(po, version, "purchase order")
    if po.status not in (P.DRAFT, P.CONFIRMED):
        raise InvalidTransition("cancel", str(po.status), "purchase order")
    po.status = P.CANCELLED
    return po


def _refresh_status(po: PurchaseOrder) -> None:
    if all(ln.received_quantity >= ln.quantity for ln in po.lines):
        po.status = P.RECEIVED
    elif any(ln.received_quantity > 0 for ln in po.lines):
        po.status = P.PARTIALLY_RECEIVED


@use_case
def post_goods_receipt(session: Session, receipt_id: int) -> GoodsReceipt:
    """draft → posted: receipt moves into the receipt's warehouse, PO received quantities and status.

    Refuses receiving more than a PO line still expects, naming the SKU and the outstanding figure.
    """
    receipt = session.get(GoodsReceipt, receipt_id, with_for_update=True)
    if receipt is None:
        raise NotFound(N_("Goods receipt #%(id)s does not exist."), id=receipt_id)
    if receipt.status != GoodsReceiptStatus.DRAFT:
        raise InvalidTransition("post", str(receipt.status), "goods receipt")
    if not receipt.lines:
        raise ValidationError("lines", N_("Add the received lines before posting."))
    po = _load_po(session, receipt.purchase_order_id) if receipt.purchase_order_id else None
    if po is not None and po.status not in (P.CONFIRMED, P.PARTIALLY_RECEIVED):
        raise InvalidTransition("receive goods for", str(po.status), "purchase order")
    ref = MoveReference("goods_receipt", receipt.id, receipt.number)
    for i, line in enumerate(receipt.lines):
        if po is not None:
            po_line = next((pl for pl in po.lines if pl.id == line.purchase_order_line_id
                            or (line.purchase_order_line_id is None
                                and pl.variant_id == line.variant_id)), None)
            if po_line is None:
                raise ValidationError(f"lines[{i}]", N_("%(sku)s is not on %(po)s."),
                                      sku=line.variant.sku, po=po.number)
            if line.quantity > po_line.outstanding:
                raise ValidationError(
                    f"lines[{i}].quantity", N_("%(sku)s: %(received)s received but only "
                                               "%(outstanding)s of %(ordered)s still expected on "
                                               "%(po)s."),
                    sku=line.variant.sku, received=line.quantity, outstanding=po_line.outstanding,
                    ordered=po_line.quantity, po=po.number)
            line.purchase_order_line_id = po_line.id
            po_line.received_quantity += line.quantity
        post_move(session, line.variant_id, receipt.warehouse_id, line.quantity, MoveKind.RECEIPT,
                  reference=ref, note=f"From {po.number}" if po is not None else None)
    if po is not None:
        _refresh_status(po)
    receipt.status = GoodsReceiptStatus.POSTED
    receipt.received_at = utcnow()
    return receipt


@use_case
def receive_goods(session: Session, po_id: int, quantities: Mapping[int, int], *,
                  note: str | None = None) -> GoodsReceipt:
    """Receive against a PO in one step: ``quantities`` maps PO line id → units that arrived."""
    po = _load_po(session, po_id)
    lines = []
    for line_id, qty in quantities.items():
        po_line = next((pl for pl in po.lines if pl.id == line_id), None)
        if po_line is None:
            raise ValidationError(f"quantities[{line_id}]", N_("Line #%(id)s is not on %(po)s."),
                                  id=line_id, po=po.number)
        if not isinstance(qty, int) or qty < 0:
            raise ValidationError(f"quantities[{line_id}]", N_("Enter a whole number ≥ 0."))
        if qty:
            lines.append(GoodsReceiptLine(purchase_order_line_id=line_id,
                                          variant_id=po_line.variant_id, quantity=qty,
                                          unit_cost=po_line.unit_price))
    if not lines:
        raise ValidationError("quantities",
                              N_("Enter the quantity received for at least one line."))
    receipt = GoodsReceipt(purchase_order_id=po.id, supplier_id=po.supplier_id,
                           warehouse_id=po.warehouse_id, note=note, lines=lines)
    session.add(receipt)
    session.flush()
    return post_goods_receipt(session, receipt.id, commit=False)
