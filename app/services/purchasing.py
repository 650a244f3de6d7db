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
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models import (GoodsReceipt, GoodsReceiptLine, GoodsReceiptStatus, MoveKind,
                        ProductVariant, PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus,
                        StockLevel, Supplier)
from app.models.base import utcnow
from app.services.actor import current_actor
from app.services.editing import check_version
from app.services.errors import InvalidTransition, NotFound, ValidationError
from app.services.ledger import MoveReference, post_move, use_case
from app.services.orders import load_order

P = PurchaseOrderStatus
OPEN_PO = (P.DRAFT, P.CONFIRMED, P.PARTIALLY_RECEIVED)


def _supplier_for(session: Session, variant: ProductVariant, supplier_id: int | None) -> int:
    """The chosen supplier (remembered as the variant's preferred one if it had none), else the
    variant's preferred supplier."""
    if supplier_id is not None:
        if session.get(Supplier, supplier_id) is None:
            raise ValidationError("supplier_id", f"Supplier #{supplier_id} does not exist.")
        if variant.preferred_supplier_id is None:
            variant.preferred_supplier_id = supplier_id
        return supplier_id
    if variant.preferred_supplier_id is None:
        raise ValidationError("supplier_id", f"{variant.sku} has no preferred supplier: choose the "
                                             "supplier to buy it from.")
    return variant.preferred_supplier_id


def _draft(session: Session, warehouse_id: int, wanted: Mapping[int, int],
           supplier_id: int | None, source_order_id: int | None = None) -> list[PurchaseOrder]:
    """One draft PO per supplier for ``wanted`` (variant id → units), priced at the cost price."""
    variants = {v.id: v for v in session.scalars(
        sa.select(ProductVariant).where(ProductVariant.id.in_(list(wanted)))
        .options(selectinload(ProductVariant.product)))}
    by_supplier: dict[int, list[PurchaseOrderLine]] = defaultdict(list)
    for variant_id in sorted(wanted):
        variant = variants[variant_id]
        by_supplier[_supplier_for(session, variant, supplier_id)].append(
            PurchaseOrderLine(variant_id=variant_id, quantity=wanted[variant_id],
                              unit_price=variant.cost))
    drafts = []
    for sid, lines in sorted(by_supplier.items()):
        po = PurchaseOrder(supplier_id=sid, warehouse_id=warehouse_id, status=P.DRAFT,
                           source_order_id=source_order_id, lines=lines)
        po.total = purchase_total(po)
        session.add(po)
        drafts.append(po)
    return drafts


def purchase_total(po: PurchaseOrder) -> Decimal:
    return sum((Decimal(ln.quantity) * Decimal(ln.unit_price or 0) for ln in po.lines), Decimal(0))


@use_case
def draft_purchase_orders_for_order(session: Session, order_id: int, *,
                                    supplier_id: int | None = None) -> list[PurchaseOrder]:
    """Draft what a confirmed order is short of (one PO per supplier), for its warehouse."""
    order = load_order(session, order_id, lock=False)
    short: dict[int, int] = defaultdict(int)
    for line in order.lines:
        if line.variant_id is not None and line.short_by > 0:
            short[line.variant_id] += line.short_by
    if not short:
        raise ValidationError("lines", f"Order {order.number} is not short of anything.")
    if order.warehouse_id is None:
        raise ValidationError("warehouse_id", "Confirm the order first: it has no warehouse yet.")
    return _draft(session, order.warehouse_id, short, supplier_id, source_order_id=order.id)


def low_stock(session: Session, warehouse_id: int) -> dict[int, int]:
    """Variant id → units to buy, for active variants below their reorder point in the warehouse.

    Buys enough to bring available + already on order up to twice the reorder point, so a shortage
    is not ordered twice while a PO is on its way.
    """
    level = StockLevel.__table__
    on_order = (sa.select(PurchaseOrderLine.variant_id,
                          sa.func.sum(PurchaseOrderLine.quantity
                                      - PurchaseOrderLine.received_quantity).label("qty"))
                .join(PurchaseOrder).where(PurchaseOrder.warehouse_id == warehouse_id,
                                           PurchaseOrder.status.in_(OPEN_PO))
                .group_by(PurchaseOrderLine.variant_id).subquery())
    free = sa.func.coalesce(level.c.on_hand - level.c.reserved, 0)
    rows = session.execute(
        sa.select(ProductVariant.id, ProductVariant.reorder_point, free,
                  sa.func.coalesce(on_order.c.qty, 0))
        .outerjoin(level, sa.and_(level.c.variant_id == ProductVariant.id,
                                  level.c.warehouse_id == warehouse_id))
        .outerjoin(on_order, on_order.c.variant_id == ProductVariant.id)
        .where(ProductVariant.active, ProductVariant.reorder_point > 0,
               free < ProductVariant.reorder_point)).all()
    return {vid: 2 * point - avail - ordered for vid, point, avail, ordered in rows
            if 2 * point - avail - ordered > 0}


@use_case
def draft_purchase_orders_for_low_stock(session: Session, warehouse_id: int, *,
                                        supplier_id: int | None = None,
                                        variant_ids: Iterable[int] | None = None
                                        ) -> list[PurchaseOrder]:
    """Draft POs for the low-stock list (optionally only ``variant_ids``), one per supplier."""
    wanted = low_stock(session, warehouse_id)
    if variant_ids is not None:
        keep = set(variant_ids)
        wanted = {k: v for k, v in wanted.items() if k in keep}
    if not wanted:
        raise ValidationError("variant_ids", "Nothing is below its reorder point.")
    return _draft(session, warehouse_id, wanted, supplier_id)


def _load_po(session: Session, po_id: int) -> PurchaseOrder:
    po = session.scalars(sa.select(PurchaseOrder).where(PurchaseOrder.id == po_id)
                         .options(selectinload(PurchaseOrder.lines)).with_for_update(of=PurchaseOrder)
                         .execution_options(populate_existing=True)).first()
    if po is None:
        raise NotFound(f"Purchase order #{po_id} does not exist.")
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
        raise ValidationError("lines", "Add at least one line before approving.")
    po.total = purchase_total(po)
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
        raise NotFound(f"Goods receipt #{receipt_id} does not exist.")
    if receipt.status != GoodsReceiptStatus.DRAFT:
        raise InvalidTransition("post", str(receipt.status), "goods receipt")
    if not receipt.lines:
        raise ValidationError("lines", "Add the received lines before posting.")
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
                raise ValidationError(f"lines[{i}]", f"{line.variant.sku} is not on {po.number}.")
            if line.quantity > po_line.outstanding:
                raise ValidationError(
                    f"lines[{i}].quantity", f"{line.variant.sku}: {line.quantity} received but only "
                    f"{po_line.outstanding} of {po_line.quantity} still expected on {po.number}.")
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
            raise ValidationError(f"quantities[{line_id}]", f"Line #{line_id} is not on {po.number}.")
        if not isinstance(qty, int) or qty < 0:
            raise ValidationError(f"quantities[{line_id}]", "Enter a whole number ≥ 0.")
        if qty:
            lines.append(GoodsReceiptLine(purchase_order_line_id=line_id,
                                          variant_id=po_line.variant_id, quantity=qty,
                                          unit_cost=po_line.unit_price))
    if not lines:
        raise ValidationError("quantities", "Enter the quantity received for at least one line.")
    receipt = GoodsReceipt(purchase_order_id=po.id, supplier_id=po.supplier_id,
                           warehouse_id=po.warehouse_id, note=note, lines=lines)
    session.add(receipt)
    session.flush()
    return post_goods_receipt(session, receipt.id, commit=False)
