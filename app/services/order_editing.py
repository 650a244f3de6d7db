"""Changing an order after it was taken, within what SPEC §3 allows, from every door: the order's
edit form, the order line forms, the REST API's PUT/POST/DELETE on ``order`` and ``order_line``.

* Buyer, address and money fields change only while the order is new; the warehouse until it is
  packed; lines while it is new or processing (order_fields.EDITABLE_IN). A refusal names the field
  and the order's state.
* On a processing order the reservations follow: a smaller quantity gives stock back before the
  quantity is written, a larger one reserves more if it is free, a removed line releases what it
  held, a new warehouse gets the reservations the old one gave back.
* The version the user opened is checked first (the order's: lines have none of their own).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from app.models import Order, OrderLine, OrderStatus, ProductVariant, VatRate
from app.models.base import utcnow
from app.services import addresses
from app.services.amounts import parse_id
from app.services.editing import check_version
from app.services.errors import DomainError, InvalidTransition, N_, NotFound, ValidationError
from app.services.ledger import use_case
from app.services.order_entry import manual_line, unknown_sku_message
from app.services.order_fields import EDITABLE_IN, FIELD_LABELS, changed_fields, clean_header
from app.services.orders import load_order, release_order, require_state, reserve_order_lines
from app.services.pricing import whole_dong
from app.services.reservations import (LineReservation, by_variant, line_result, release_line,
                                       reserve_line)


class OrderFieldLocked(InvalidTransition):
    """A field the order's state no longer lets change (409, naming the field and the state)."""

    translatable = ("label", "state")

    def __init__(self, field: str, state: str):
        DomainError.__init__(self, N_("Cannot change the %(label)s of this order: it is "
                                      "%(state)s."),
                             label=FIELD_LABELS.get(field, field), state=state.replace("_", " "))
        self.action, self.state, self.field = "edit", state, field


def _require_lines_editable(order: Order) -> None:
    require_state(order, "edit")  # orders.ACTIONS["edit"]: the lines, while new or processing


@use_case
def edit_order(session: Session, order_id: int, *, version: int | None = None,
               **values) -> list[LineReservation]:
    """Change header fields (buyer, address, payment, warehouse, notes …) where the state allows.

    Values equal to the order's are not changes (a form sends every field it shows). Moving a
    processing order to another warehouse moves its reservations (released here, reserved there).
    Returns each line's stock result.
    """
    order = load_order(session, order_id)
    check_version(order, version, "order")
    changes = changed_fields(order, clean_header(session, values))
    for field in changes:
        if order.status not in EDITABLE_IN[field]:
            raise OrderFieldLocked(field, str(order.status))
    changes = changed_fields(order, addresses.ship_changes(order, changes))
    if "customer_id" in changes and changes["customer_id"] is not None and \
            not (values.get("buyer_name") or "").strip():
        from app.models import Customer
        customer = session.get(Customer, changes["customer_id"])
        changes.setdefault("buyer_name", customer.name)
    new_warehouse = changes.pop("warehouse_id", order.warehouse_id)
    for key, value in changes.items():
        setattr(order, key, value)
    if "ship_ward_code" in changes:  # the address is placed now: its import flag goes
        order.needs_attention = addresses.attention(order.needs_attention, None)
    if new_warehouse != order.warehouse_id:
        if new_warehouse is None:
            raise ValidationError("warehouse_id", N_("An order keeps the warehouse that fulfils "
                                                     "it; choose another one instead."))
        if order.status == OrderStatus.PROCESSING:
            release_order(session, order)
            order.warehouse_id = new_warehouse
            session.flush()
            return reserve_order_lines(session, order)
        order.warehouse_id = new_warehouse
    if changes:
        order.updated_at = utcnow()
    return [line_result(line) for line in order.lines]


def _line_spec(change: Mapping, line: OrderLine | None, index: int) -> dict:
    """The change, with what it leaves untouched taken from the line."""
    name = f"lines[{index}]"
    out = {"variant_id": change.get("variant_id", line.variant_id if line else None),
           "quantity": change.get("quantity", line.quantity if line else None)}
    for key in ("unit_price", "discount"):
        raw = change.get(key, getattr(line, key) if line else None)
        out[key] = whole_dong(raw, f"{name}.{key}", allow_none=True)
    return out


def _vat_rate(value, field: str) -> VatRate:
    try:
        return VatRate(str(getattr(value, "value", value)).strip())
    except ValueError:
        raise ValidationError(field, N_("The VAT rate must be one of %(choices)s."),
                              choices=", ".join(r.value for r in VatRate)) from None


def _change_line(session: Session, order: Order, index: int, change: Mapping) -> OrderLine | None:
    name = f"lines[{index}]"
    line_id = change.get("line_id")
    line = next((ln for ln in order.lines if ln.id == line_id), None)
    if line_id is not None and line is None:
        raise ValidationError(f"{name}.line_id", N_("Line #%(id)s is not on this order."),
                              id=line_id)
    if line is None:
        new = manual_line(session, index, _line_spec(change, None, index))
        if change.get("vat_rate") is not None:
            new.vat_rate = _vat_rate(change["vat_rate"], f"{name}.vat_rate")
        order.lines.append(new)
        return new
    if change.get("quantity") == 0:  # remove the line, giving back what it held
        release_line(session, line, order.warehouse_id)
        order.lines.remove(line)
        return None
    spec = _line_spec(change, line, index)
    if spec["variant_id"] is None:  # an unknown SKU still unmapped: only the money may change
        raise ValidationError(f"{name}.variant_id", N_("Choose the product variant of %(sku)s "
                                                       "before changing the line."), sku=line.sku)
    merged = manual_line(session, index, spec)
    if merged.variant_id != line.variant_id:
        release_line(session, line, order.warehouse_id)
        line.variant_id, line.sku, line.name, line.vat_rate = \
            merged.variant_id, merged.sku, merged.name, merged.vat_rate
    excess = line.reserved_quantity - (merged.quantity - line.shipped_quantity)
    if excess > 0:  # give stock back before the smaller quantity is written
        release_line(session, line, order.warehouse_id, excess)
    line.quantity, line.unit_price, line.discount = \
        merged.quantity, merged.unit_price, merged.discount
    if change.get("vat_rate") is not None:
        line.vat_rate = _vat_rate(change["vat_rate"], f"{name}.vat_rate")
    return line


@use_case
def edit_order_lines(session: Session, order_id: int, changes: Sequence[Mapping], *,
                     version: int | None = None) -> list[LineReservation]:
    """Add, change or remove lines while the order is new or processing.

    Each change is ``{"line_id": id, "quantity": n}`` (0 removes the line), may carry
    ``unit_price``, ``discount``, ``vat_rate`` or ``variant_id`` (e.g. to map an unknown SKU), or has
    no ``line_id`` to add a line. On a processing order the reservations follow. Returns every
    line's stock result.
    """
    order = load_order(session, order_id)
    check_version(order, version, "order")
    _require_lines_editable(order)
    touched = [_change_line(session, order, i, c) for i, c in enumerate(changes)]
    if not order.lines:
        raise ValidationError("lines", N_("An order needs at least one line; cancel it instead."))
    if order.status == OrderStatus.PROCESSING:
        session.flush()  # new lines need ids for the results
        for line in by_variant([ln for ln in touched if ln is not None]):
            reserve_line(session, line, order.warehouse_id)
    unknown = [ln.sku for ln in order.lines if ln.variant_id is None]
    if unknown:
        order.needs_attention = unknown_sku_message(unknown)
    elif (order.needs_attention or "").startswith("Unknown SKU"):
        order.needs_attention = None
    order.updated_at = utcnow()  # line edits count as an edit of the order (version goes up)
    return [line_result(line) for line in order.lines]


# --- one line at a time (the line forms and the order_line REST resource) -------------------------

def _line(session: Session, line_id) -> OrderLine:
    line = session.get(OrderLine, parse_id(line_id)) if parse_id(line_id) else None
    if line is None:
        raise NotFound(N_("Order line #%(id)s does not exist."), id=line_id)
    return line


def _variant_id(session: Session, value, field: str) -> int:
    value = parse_id(value)
    if value is None or session.get(ProductVariant, value) is None:
        raise ValidationError(field, N_("Choose a product variant for this line."))
    return value


@use_case
def add_order_line(session: Session, order_id, *, variant_id, quantity, unit_price=None,
                   discount=None, vat_rate=None, version: int | None = None) -> OrderLine:
    """One new line (SKU, name and VAT rate from the variant; price defaults to its price)."""
    order_id = parse_id(order_id)
    if order_id is None:
        raise ValidationError("order", N_("Choose the order the line belongs to."))
    change = {"variant_id": _variant_id(session, variant_id, "variant"), "quantity": quantity,
              "unit_price": unit_price, "discount": discount, "vat_rate": vat_rate}
    edit_order_lines(session, order_id, [change], version=version, commit=False)
    order = load_order(session, order_id, lock=False)
    return max(order.lines, key=lambda ln: ln.id)


@use_case
def change_order_line(session: Session, line_id, *, version: int | None = None,
                      **fields) -> OrderLine:
    """Change one line's quantity, price, discount or VAT rate (variant to map an unknown SKU)."""
    line = _line(session, line_id)
    allowed = {"quantity", "unit_price", "discount", "vat_rate", "variant_id"}
    for key in fields:
        if key not in allowed:
            raise ValidationError(key, N_("This field cannot be changed on a line."))
    change = {"line_id": line.id, **fields}
    if "variant_id" in fields:
        change["variant_id"] = _variant_id(session, fields["variant_id"], "variant")
    if "quantity" in fields and fields["quantity"] == 0:
        raise ValidationError("quantity", N_("The quantity must be a whole number above zero; "
                                             "delete the line to remove it."))
    edit_order_lines(session, line.order_id, [change], version=version, commit=False)
    return line


@use_case
def remove_order_line(session: Session, line_id, *, version: int | None = None) -> Order:
    """Delete one line, releasing what it held (refused for an order's last line)."""
    line = _line(session, line_id)
    order_id = line.order_id
    edit_order_lines(session, order_id, [{"line_id": line.id, "quantity": 0}], version=version,
                     commit=False)
    return load_order(session, order_id, lock=False)


@use_case
def delete_order(session: Session, order_id, *, version: int | None = None) -> None:
    """Only a new order (nothing reserved, shipped or invoiced yet) may be deleted; later, cancel."""
    order = load_order(session, order_id)
    check_version(order, version, "order")
    if order.status != OrderStatus.NEW or order.shipments or order.invoices or order.returns:
        raise InvalidTransition(N_("delete"), str(order.status))
    session.delete(order)
