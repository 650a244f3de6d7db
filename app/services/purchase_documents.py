"""Writing purchase orders and goods receipts by hand (their forms and REST resources), within
what their state allows.

A purchase order is edited while it is a draft; once a supervisor approved it, its supplier,
warehouse and lines are what was agreed and stay as they are (only the expected date and note may
still change, until it is received or cancelled). A goods receipt is edited while it is a draft;
once posted, its lines are in the stock ledger. The PO's total is recomputed with every line
change, so it never goes stale.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.models import (GoodsReceipt, GoodsReceiptLine, GoodsReceiptStatus, ProductVariant,
                        PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus, Supplier, Warehouse)
from app.services.editing import check_version
from app.services.errors import InvalidTransition, N_, NotFound, ValidationError
from app.services.ledger import use_case
from app.services.order_fields import record_id
from app.services.pricing import purchase_total, whole_dong
from app.services.purchasing import _load_po

P = PurchaseOrderStatus
G = GoodsReceiptStatus
# Field → PO states in which it may change.
PO_EDITABLE_IN = {"supplier_id": {P.DRAFT}, "warehouse_id": {P.DRAFT},
                  "expected_date": {P.DRAFT, P.CONFIRMED, P.PARTIALLY_RECEIVED},
                  "note": {P.DRAFT, P.CONFIRMED, P.PARTIALLY_RECEIVED}}


def _quantity(value, field: str = "quantity") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
            return int(value)
        raise ValidationError(field, N_("The quantity must be a whole number above zero."))
    return value


def _date(value, field: str):
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(field, N_("Enter a date as YYYY-MM-DD.")) from None


def _note(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("note", N_("Must be text."))
    return value.strip() or None


def _po_fields(session: Session, values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if key not in PO_EDITABLE_IN:
            raise ValidationError(key, N_("This field cannot be set here."))
        if key == "supplier_id":
            out[key] = record_id(session, Supplier, value, key, required=True)
        elif key == "warehouse_id":
            out[key] = record_id(session, Warehouse, value, key, required=True)
        elif key == "expected_date":
            out[key] = _date(value, key)
        else:
            out[key] = _note(value)
    return out


@use_case
def create_purchase_order(session: Session, **values) -> PurchaseOrder:
    fields = _po_fields(session, values)
    for key in ("supplier_id", "warehouse_id"):
        if fields.get(key) is None:
            raise ValidationError(key, N_("This field is required."))
    po = PurchaseOrder(status=P.DRAFT, **fields)
    session.add(po)
    return po


@use_case
def edit_purchase_order(session: Session, po_id: int, *, version=None, **values) -> PurchaseOrder:
    po = _load_po(session, po_id)
    check_version(po, version, "purchase order")
    for key, value in _po_fields(session, values).items():
        if getattr(po, key) == value:
            continue
        if po.status not in PO_EDITABLE_IN[key]:
            raise InvalidTransition(N_("change the supplier, warehouse or lines of")
                                    if key in ("supplier_id", "warehouse_id")
                                    else N_("change"), str(po.status), "purchase order")
        setattr(po, key, value)
    return po


@use_case
def delete_purchase_order(session: Session, po_id: int) -> None:
    po = _load_po(session, po_id)
    if po.status != P.DRAFT:
        raise InvalidTransition(N_("delete"), str(po.status), "purchase order")
    session.delete(po)


def _draft_po(session: Session, po_id) -> PurchaseOrder:
    if po_id is None or not str(po_id).isdigit():
        raise ValidationError("purchase_order", N_("Choose the purchase order."))
    po = _load_po(session, int(po_id))
    if po.status != P.DRAFT:
        raise InvalidTransition(N_("change the supplier, warehouse or lines of"), str(po.status),
                                "purchase order")
    return po


def _variant(session: Session, value) -> ProductVariant:
    value = getattr(value, "id", value)
    variant = session.get(ProductVariant, int(value)) if str(value or "").isdigit() else None
    if variant is None:
        raise ValidationError("variant", N_("Choose a product variant for this line."))
    return variant


@use_case
def add_po_line(session: Session, po_id, *, variant_id, quantity, unit_price=None
                ) -> PurchaseOrderLine:
    po = _draft_po(session, po_id)
    variant = _variant(session, variant_id)
    price = whole_dong(unit_price, "unit_price", allow_none=True)
    line = PurchaseOrderLine(variant_id=variant.id, quantity=_quantity(quantity),
                             unit_price=variant.cost if price is None else price)
    po.lines.append(line)
    po.total = purchase_total(po.lines)
    return line


def _po_line(session: Session, line_id) -> PurchaseOrderLine:
    line = session.get(PurchaseOrderLine, line_id)
    if line is None:
        raise NotFound(N_("Purchase order line #%(id)s does not exist."), id=line_id)
    return line


@use_case
def change_po_line(session: Session, line_id, **values) -> PurchaseOrderLine:
    line = _po_line(session, line_id)
    po = _draft_po(session, line.purchase_order_id)
    for key, value in values.items():
        if key == "quantity":
            line.quantity = _quantity(value)
        elif key == "unit_price":
            line.unit_price = whole_dong(value, key)
        else:
            raise ValidationError(key, N_("This field cannot be changed on a line."))
    po.total = purchase_total(po.lines)
    return line


@use_case
def remove_po_line(session: Session, line_id) -> PurchaseOrder:
    line = _po_line(session, line_id)
    po = _draft_po(session, line.purchase_order_id)
    po.lines.remove(line)
    po.total = purchase_total(po.lines)
    return po


# --- goods receipts ------------------------------------------------------------------------------

def _load_receipt(session: Session, receipt_id) -> GoodsReceipt:
    receipt = session.get(GoodsReceipt, receipt_id, with_for_update=True) \
        if str(receipt_id or "").isdigit() else None
    if receipt is None:
        raise ValidationError("goods_receipt", N_("Choose the goods receipt."))
    return receipt


def _draft_receipt(session: Session, receipt_id) -> GoodsReceipt:
    receipt = _load_receipt(session, receipt_id)
    if receipt.status != G.DRAFT:
        raise InvalidTransition(N_("change"), str(receipt.status), "goods receipt")
    return receipt


@use_case
def create_goods_receipt(session: Session, *, purchase_order_id=None, supplier_id=None,
                         warehouse_id=None, note=None) -> GoodsReceipt:
    """A draft receipt: against an approved PO (its supplier and warehouse), or stand-alone."""
    po_id = record_id(session, PurchaseOrder, purchase_order_id, "purchase_order")
    if po_id is not None:
        po = _load_po(session, po_id)
        if po.status not in (P.CONFIRMED, P.PARTIALLY_RECEIVED):
            raise InvalidTransition(N_("receive goods for"), str(po.status), "purchase order")
        if supplier_id not in (None, "") and str(getattr(supplier_id, "id", supplier_id)) \
                != str(po.supplier_id):
            raise ValidationError("supplier", N_("The supplier is the purchase order's."))
        supplier_id, warehouse_id = po.supplier_id, warehouse_id or po.warehouse_id
        if int(getattr(warehouse_id, "id", warehouse_id)) != po.warehouse_id:
            raise ValidationError("warehouse", N_("Goods for a purchase order arrive in its "
                                                  "warehouse."))
    receipt = GoodsReceipt(
        purchase_order_id=po_id, note=_note(note),
        supplier_id=record_id(session, Supplier, supplier_id, "supplier"),
        warehouse_id=record_id(session, Warehouse, warehouse_id, "warehouse", required=True))
    session.add(receipt)
    return receipt


@use_case
def edit_goods_receipt(session: Session, receipt_id, *, version=None, **values) -> GoodsReceipt:
    receipt = _load_receipt(session, receipt_id)
    check_version(receipt, version, "goods receipt")
    for key, value in values.items():
        if key != "note":
            raise ValidationError(key, N_("This field cannot be changed here."))
        if _note(value) != receipt.note:
            if receipt.status != G.DRAFT:
                raise InvalidTransition(N_("change"), str(receipt.status), "goods receipt")
            receipt.note = _note(value)
    return receipt


@use_case
def delete_goods_receipt(session: Session, receipt_id) -> None:
    session.delete(_draft_receipt(session, receipt_id))


@use_case
def add_receipt_line(session: Session, receipt_id, *, variant_id, quantity, unit_cost=None,
                     purchase_order_line_id=None) -> GoodsReceiptLine:
    receipt = _draft_receipt(session, receipt_id)
    variant = _variant(session, variant_id)
    po_line_id = record_id(session, PurchaseOrderLine, purchase_order_line_id,
                           "purchase_order_line")
    if po_line_id is not None:
        po_line = session.get(PurchaseOrderLine, po_line_id)
        if po_line.purchase_order_id != receipt.purchase_order_id or \
                po_line.variant_id != variant.id:
            raise ValidationError("purchase_order_line", N_("This purchase order line is not for "
                                                            "this variant on this receipt's "
                                                            "purchase order."))
    line = GoodsReceiptLine(variant_id=variant.id, quantity=_quantity(quantity),
                            purchase_order_line_id=po_line_id,
                            unit_cost=whole_dong(unit_cost, "unit_cost", allow_none=True))
    receipt.lines.append(line)
    return line


def _receipt_line(session: Session, line_id) -> GoodsReceiptLine:
    line = session.get(GoodsReceiptLine, line_id)
    if line is None:
        raise NotFound(N_("Receipt line #%(id)s does not exist."), id=line_id)
    return line


@use_case
def change_receipt_line(session: Session, line_id, **values) -> GoodsReceiptLine:
    line = _receipt_line(session, line_id)
    _draft_receipt(session, line.goods_receipt_id)
    for key, value in values.items():
        if key == "quantity":
            line.quantity = _quantity(value)
        elif key == "unit_cost":
            line.unit_cost = whole_dong(value, key, allow_none=True)
        else:
            raise ValidationError(key, N_("This field cannot be changed on a line."))
    return line


@use_case
def remove_receipt_line(session: Session, line_id) -> None:
    line = _receipt_line(session, line_id)
    receipt = _draft_receipt(session, line.goods_receipt_id)
    receipt.lines.remove(line)
