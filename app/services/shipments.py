"""Booking a parcel with a carrier for a packed order: the form, the quote, the draft and the booking.

Never two carrier orders for one shipment: the Shipment row is written first, in state ``draft``
with its ``client_reference`` (GHN ``client_order_code``, Viettel Post ``ORDER_NUMBER``), and
committed before any carrier call. Booking sends that same key every time; a carrier that already
has it answers with the parcel booked earlier (GHN is asked by its client code, Viettel Post's
uniqueness check names the waybill), so a retry, a rerun after a crash, or a timeout that hid a
success all end with the one parcel. Only then are the tracking number, fees and stock moves
written, in one transaction (orders.record_shipment_moves).

COD: the courier collects what the buyer still owes (goods + the shipping fee the shop charged).
If the carrier is told to collect its own fee from the buyer (fee payer ``buyer``), the COD is the
goods only, or the buyer would pay the shipping twice.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.integrations.base import IntegrationError, RetryableError
from app.integrations.carriers.common import (REQUIRED_NOTES, CreatedShipment,
                                              DuplicateReference, Item, Party, Quote,
                                              ShipmentRequest)
from app.models import (Carrier, FeePayer, Order, OrderLine, OrderStatus, PaymentMethod,
                        PaymentStatus, ProviderAccount, Shipment, ShipmentStatus, ShippingService,
                        TrackingEvent)
from app.models.base import utcnow
from app.services import carrier_areas, orders
from app.services.amounts import MONEY, QUANTITY, AmountError, parse_amount
from app.services.carrier_clients import (CARRIER_NAMES, CARRIERS, account_for, carrier_traits,
                                          sender_party)
from app.services import attention_notes
from app.services.attention_notes import note as attention_note
from app.services.errors import (N_, DomainError, FieldMessage, InvalidTransition, NotFound,
                                 ValidationError, ValidationErrors)
from app.services.ledger import use_case
from app.services.mail import send_after_commit
from app.services.parcels import parcel_for

log = logging.getLogger(__name__)

OPEN = (ShipmentStatus.DRAFT, ShipmentStatus.CREATED, ShipmentStatus.PICKED_UP,
        ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY, ShipmentStatus.DELIVERY_FAILED,
        ShipmentStatus.RETURNING)
SERVICE_NAMES = {"fast": "Nhanh", "economy": "Tiết kiệm"}
MAX_SIDE_CM = 200
AWAITING_WAYBILL = "awaiting_waybill"


# ---- the form ----------------------------------------------------------------------------------
@dataclass
class ShipmentForm:
    """What the clerk confirms on "Create shipment" (prefilled by :func:`default_form`)."""

    carrier: str
    service: str = "economy"
    cod_amount: int = 0
    weight_g: int = 0
    length_cm: int = 0
    width_cm: int = 0
    height_cm: int = 0
    fee_payer: str = "seller"
    required_note: str = "allow_view"
    note: str = ""
    account_id: int | None = None
    carrier_service_code: str | None = None
    fee_quoted: int | None = None
    missing_weight: int = 0       # lines whose weight was estimated (the variant has none)
    missing_size: int = 0         # lines whose size was estimated

    def as_dict(self) -> dict:
        return asdict(self)


def goods_due(order: Order) -> int:
    """What the buyer still owes for the order (goods, VAT and the shop's shipping fee)."""
    if order.payment_method != PaymentMethod.COD or order.payment_status != PaymentStatus.UNPAID:
        return 0
    return max(0, int(order.total or 0) - int(order.paid_amount or 0))


def cod_for(order: Order, fee_payer: str) -> int:
    """The COD the courier collects: what is due, less the shop's shipping fee when the carrier
    collects its own fee from the buyer (fee payer ``buyer``)."""
    due = goods_due(order)
    if due and fee_payer == FeePayer.BUYER.value:
        due = max(0, due - int(order.shipping_fee or 0))
    return due


def parcel_of(order: Order) -> dict:
    """Weight (g), box size (cm) and what was estimated, from the variants (services.parcels)."""
    return parcel_for(order.lines).form_values()


def default_form(session: Session, order: Order, carrier: str | None = None) -> ShipmentForm:
    """The form as the clerk first sees it: the order's COD, the variants' weight and size."""
    carrier = carrier or _default_carrier(session)
    account = account_for(session, carrier)
    settings = account.settings or {}
    form = ShipmentForm(carrier=carrier, account_id=account.id,
                        service=settings.get("default_service") or "economy",
                        required_note=settings.get("default_required_note") or "allow_view",
                        fee_payer=FeePayer.SELLER.value, **parcel_of(order))
    form.cod_amount = cod_for(order, form.fee_payer)
    return form


def _default_carrier(session: Session) -> str:
    from app.services.carrier_clients import carrier_accounts
    accounts = carrier_accounts(session)
    if not accounts:
        raise ValidationError("carrier", N_("No active carrier account is set up: an admin adds "
                                            "one under System → Carrier & e-invoice accounts."))
    return accounts[0].provider


FORM_LABELS = {"cod_amount": N_("COD amount"), "weight_g": N_("Weight (g)"),
               "length_cm": N_("Length (cm)"), "width_cm": N_("Width (cm)"),
               "height_cm": N_("Height (cm)"), "account_id": N_("Account")}


def parse_form(order: Order, data: Mapping, base: ShipmentForm | None = None) -> ShipmentForm:
    """A form from user input (panel or API), every field checked; errors name their field."""
    form = ShipmentForm(**(base.as_dict() if base else {"carrier": ""}))
    errors: dict[str, list[str]] = {}
    for name in ("carrier", "service", "fee_payer", "required_note", "note",
                 "carrier_service_code"):
        if name in data and data[name] is not None:
            setattr(form, name, str(data[name]).strip())
    for name in ("cod_amount", "weight_g", "length_cm", "width_cm", "height_cm", "account_id"):
        if name in data and data[name] not in (None, ""):
            try:  # read as typed: "1.250.000" or "1tr25" ₫, "1.200" g; "1.5" is refused
                value = parse_amount(data[name], field=name, label=FORM_LABELS.get(name, name),
                                     kind=MONEY if name == "cod_amount" else QUANTITY)
            except AmountError as exc:
                errors.setdefault(name, []).append(FieldMessage(
                    exc.template, translatable=exc.translatable, **exc.details))
                continue
            if value is not None:
                setattr(form, name, value)
    if "cod_amount" not in data and "fee_payer" in data:
        form.cod_amount = cod_for(order, form.fee_payer)
    if form.carrier not in CARRIERS:
        errors.setdefault("carrier", []).append(N_("Choose a carrier: ghn or viettelpost."))
    if form.service not in (s.value for s in ShippingService):
        errors.setdefault("service", []).append(N_("Choose the service: fast or economy."))
    if form.fee_payer not in (p.value for p in FeePayer):
        errors.setdefault("fee_payer", []).append(N_("Who pays the fee: seller or buyer."))
    if form.required_note not in REQUIRED_NOTES:
        errors.setdefault("required_note", []).append(
            N_("Required note: allow_try, allow_view or no_view."))
    if not errors.get("weight_g") and not 1 <= form.weight_g <= 50_000:
        errors.setdefault("weight_g", []).append(N_("Weight must be 1 to 50,000 g."))
    for name in ("length_cm", "width_cm", "height_cm"):
        if not errors.get(name) and not 1 <= getattr(form, name) <= MAX_SIDE_CM:
            errors.setdefault(name, []).append(N_("Each side must be 1 to 200 cm."))
    if not errors.get("cod_amount"):
        due = goods_due(order)
        if form.cod_amount < 0 or form.cod_amount > 50_000_000:
            errors.setdefault("cod_amount", []).append(N_("COD must be 0 to 50,000,000 ₫."))
        elif form.cod_amount > due:
            errors.setdefault("cod_amount", []).append(
                N_("The COD is more than the buyer still owes for the order."))
        elif (form.fee_payer == FeePayer.BUYER.value and order.shipping_fee
              and form.cod_amount > cod_for(order, FeePayer.BUYER.value)):
            errors.setdefault("cod_amount", []).append(N_(
                "The carrier collects its fee from the buyer, so the COD must not include the "
                "shipping fee too: the buyer would pay it twice."))
    if len(form.note) > 500:
        errors.setdefault("note", []).append(N_("Note: at most 500 characters."))
    if errors:
        raise ValidationErrors(errors)
    return form


# ---- the request the carrier gets ----------------------------------------------------------------
def area_codes_for(order: Order, carrier: str, client=None) -> dict:
    """The carrier's ids for the order's address: kept on the order, else looked up by name in the
    carrier's master data (not written here: no write lock is held while the carrier is called)."""
    codes = dict((order.area_codes or {}).get(carrier) or {})
    if codes.get("district_id"):
        return codes
    if client is None:
        raise ValidationError("area_codes", N_("Order %(number)s has no %(carrier)s area codes."),
                              number=order.number, carrier=CARRIER_NAMES[carrier])
    return carrier_areas.area_ids(client, order.ship_province_code or order.ship_province,
                                  order.ship_ward_code or order.ship_ward)


def receiver_party(order: Order, carrier: str, client=None) -> Party:
    """The buyer, with the carrier's own area ids."""
    codes = area_codes_for(order, carrier, client)
    return Party(name=order.buyer_name, phone=order.buyer_phone or "",
                 address=order.ship_street or "", ward_name=order.ship_ward or "",
                 district_name=order.ship_district or "", province_name=order.ship_province or "",
                 province_id=codes.get("province_id"), district_id=codes.get("district_id"),
                 ward_code=codes.get("ward_code", codes.get("ward_id")), email=order.buyer_email or "")


def keep_area_codes(order: Order, carrier: str, receiver: Party) -> None:
    """Remember the ids a booking used, so the next one needs no look-up."""
    if not ((order.area_codes or {}).get(carrier) or {}).get("district_id"):
        order.area_codes = {**(order.area_codes or {}), carrier: carrier_traits(carrier).area_codes(
            receiver.province_id, receiver.district_id, receiver.ward_code)}


def items_of(order: Order) -> list[Item]:
    return [Item(name=line.name, quantity=line.quantity, price=int(line.unit_price or 0),
                 weight_g=(line.variant.weight_g if line.variant is not None else 0) or 0,
                 code=line.sku) for line in order.lines]


def build_request(shipment: Shipment, order: Order, account: ProviderAccount,
                  client=None) -> ShipmentRequest:
    goods = max(0, int(order.total or 0) - int(order.shipping_fee or 0))
    insured_up_to = carrier_traits(shipment.carrier).max_insurance
    if insured_up_to is not None:
        goods = min(goods, insured_up_to)
    return ShipmentRequest(
        sender=sender_party(account), receiver=receiver_party(order, shipment.carrier.value, client),
        weight_g=shipment.weight_g, length_cm=shipment.length_cm, width_cm=shipment.width_cm,
        height_cm=shipment.height_cm, client_reference=shipment.client_reference,
        cod_amount=int(shipment.cod_amount or 0), goods_value=goods,
        service=shipment.service.value, payer=shipment.fee_payer.value,
        required_note=shipment.required_note or "allow_view", items=items_of(order),
        note=shipment.note or "", carrier_service_code=shipment.carrier_service_code)


def quote_order(session: Session, order: Order, form: ShipmentForm, client) -> list[Quote]:
    """Fast and economy with each fee, for this order's address and parcel."""
    account = account_for(session, form.carrier, form.account_id)
    draft = Shipment(carrier=Carrier(form.carrier), service=ShippingService(form.service),
                     client_reference="quote", cod_amount=form.cod_amount,
                     fee_payer=FeePayer(form.fee_payer),
                     required_note=form.required_note, weight_g=form.weight_g,
                     length_cm=form.length_cm, width_cm=form.width_cm, height_cm=form.height_cm)
    request = build_request(draft, order, account, client)
    if draft in session:
        session.expunge(draft)
    return client.quote(request)


# ---- the draft ----------------------------------------------------------------------------------
def open_shipment(session: Session, order_id: int) -> Shipment | None:
    return session.scalars(sa.select(Shipment).where(Shipment.order_id == order_id,
                                                     Shipment.status.in_(OPEN))
                           .order_by(Shipment.id.desc()).limit(1)).first()


def client_reference(order: Order, attempt: int, prefix: str = "") -> str:
    """``SO-000123-1``: one key per booking attempt of an order, reused on every retry."""
    return f"{prefix}{order.number}-{attempt}"[:50]


def _apply_form(shipment: Shipment, form: ShipmentForm, account: ProviderAccount) -> None:
    shipment.carrier = Carrier(form.carrier)
    shipment.provider_account = account
    shipment.service = ShippingService(form.service)
    shipment.carrier_service_code = form.carrier_service_code or None
    shipment.cod_amount = form.cod_amount
    shipment.fee_payer = FeePayer(form.fee_payer)
    shipment.required_note = form.required_note
    shipment.weight_g, shipment.length_cm = form.weight_g, form.length_cm
    shipment.width_cm, shipment.height_cm = form.width_cm, form.height_cm
    shipment.note = form.note or None
    if form.fee_quoted is not None:
        shipment.fee_quoted = form.fee_quoted


def _draft(session: Session, order: Order, form: ShipmentForm | None) -> Shipment:
    """The order's draft (updated from ``form``) or a new one; the order must be packed."""
    orders.require_state(order, "ship")
    existing = open_shipment(session, order.id)
    if existing is not None and existing.status != ShipmentStatus.DRAFT:
        raise DomainError(N_("Order %(number)s already has shipment %(shipment)s (%(state)s)."),
                          number=order.number, shipment=str(existing), state=existing.status.value)
    if form is None:
        if existing is not None:
            return existing
        form = default_form(session, order)
    account = account_for(session, form.carrier, form.account_id)
    shipment = existing
    if shipment is None:
        attempt = 1 + session.scalar(sa.select(sa.func.count(Shipment.id))
                                     .where(Shipment.order_id == order.id))
        prefix = str((account.settings or {}).get("reference_prefix") or "")
        shipment = Shipment(order=order, client_reference=client_reference(order, attempt, prefix),
                            status=ShipmentStatus.DRAFT)
        session.add(shipment)
    elif shipment.carrier.value != form.carrier:
        raise DomainError(N_("Shipment %(shipment)s may already be with %(carrier)s: cancel it "
                             "before booking with another carrier."), shipment=str(shipment),
                          carrier=CARRIER_NAMES[shipment.carrier.value])
    _apply_form(shipment, form, account)
    return shipment


@use_case
def prepare_shipment(session: Session, order_id: int, form: ShipmentForm | None = None) -> Shipment:
    """Write the draft shipment (the idempotency key) before any carrier call."""
    order = orders.load_order(session, order_id)
    return _draft(session, order, form)


BULK_CHOICES = ("carrier", "service", "fee_payer", "required_note", "account_id")


def bulk_choices(data: Mapping | None) -> dict:
    """What a supervisor chose for a whole selection (carrier, service, payer, required note),
    each checked; the parcel and COD stay per order."""
    data = dict(data or {})
    choices = {k: data[k] for k in BULK_CHOICES if data.get(k) not in (None, "")}
    errors: dict[str, list[str]] = {}
    if "carrier" in choices and choices["carrier"] not in CARRIERS:
        errors["carrier"] = [N_("Choose a carrier: ghn or viettelpost.")]
    if "service" in choices and choices["service"] not in (s.value for s in ShippingService):
        errors["service"] = [N_("Choose the service: fast or economy.")]
    if "fee_payer" in choices and choices["fee_payer"] not in (p.value for p in FeePayer):
        errors["fee_payer"] = [N_("Who pays the fee: seller or buyer.")]
    if "required_note" in choices and choices["required_note"] not in REQUIRED_NOTES:
        errors["required_note"] = [N_("Required note: allow_try, allow_view or no_view.")]
    if errors:
        raise ValidationErrors(errors)
    return choices


def bulk_form(session: Session, order: Order, choices: Mapping | None) -> ShipmentForm:
    """One order's form in a bulk booking: the chosen settings, its own parcel and COD."""
    choices = bulk_choices(choices)
    carrier = choices.get("carrier") or _default_carrier(session)
    form = default_form(session, order, carrier)
    for name in ("service", "fee_payer", "required_note"):
        if name in choices:
            setattr(form, name, choices[name])
    if choices.get("account_id"):
        form.account_id = int(choices["account_id"])
    form.cod_amount = cod_for(order, form.fee_payer)
    return form


class NotShippable(InvalidTransition):
    """An order of a bulk booking that is not packed, named by its number."""

    translatable = ("state",)

    def __init__(self, order: Order):
        DomainError.__init__(self, N_("Cannot ship order %(order)s: it is %(state)s."),
                             order=order.number, state=order.status.value.replace("_", " "))
        self.action, self.state = "ship", order.status.value


@use_case
def prepare_shipments(session: Session, order_ids: Iterable[int],
                      choices: Mapping | None = None) -> dict[int, int | DomainError]:
    """Bulk: a draft for each packed order with the chosen carrier/service/payer/note (else the
    defaults); order id → shipment id or why it was skipped (a domain error, not raised). One
    transaction."""
    choices = bulk_choices(choices)
    out: dict = {}
    ids = sorted(set(int(i) for i in order_ids))
    loaded = {o.id: o for o in session.scalars(
        sa.select(Order).where(Order.id.in_(ids)).with_for_update(of=Order)
        .options(selectinload(Order.lines).joinedload(OrderLine.variant)))}
    existing = {s.order_id: s for s in session.scalars(
        sa.select(Shipment).where(Shipment.order_id.in_(ids), Shipment.status.in_(OPEN)))}
    counts = dict(session.execute(sa.select(Shipment.order_id, sa.func.count(Shipment.id))
                                  .where(Shipment.order_id.in_(ids)).group_by(Shipment.order_id)).all())
    forms: dict = {}
    for order_id in ids:
        order = loaded.get(order_id)
        if order is None:
            out[order_id] = NotFound(N_("Order #%(id)s does not exist."), id=order_id)
            continue
        found = existing.get(order_id)
        if found is not None:
            # A draft is booked under its key; a parcel booked already (this job delivered again,
            # or an earlier run) is reported as such, its missing label fetched.
            out[order_id] = found.id
            continue
        if order.status != OrderStatus.PACKED:
            out[order_id] = NotShippable(order)
            continue
        try:
            base = forms.get("base") or forms.setdefault("base", bulk_form(session, order, choices))
        except DomainError as exc:
            out[order_id] = exc
            continue
        form = ShipmentForm(**{**base.as_dict(), **parcel_of(order)})
        form.cod_amount = cod_for(order, form.fee_payer)
        account = account_for(session, form.carrier, form.account_id)
        prefix = str((account.settings or {}).get("reference_prefix") or "")
        shipment = Shipment(order=order, status=ShipmentStatus.DRAFT, client_reference=client_reference(
            order, 1 + counts.get(order_id, 0), prefix))
        _apply_form(shipment, form, account)
        session.add(shipment)
        out[order_id] = shipment
    session.flush()
    return {k: (v.id if isinstance(v, Shipment) else v) for k, v in out.items()}


# ---- booking ------------------------------------------------------------------------------------
@dataclass
class Booked:
    shipment_id: int
    created: CreatedShipment | None = None
    error: str | None = None
    retryable: bool = False
    extra: dict = field(default_factory=dict)


def load_for_booking(session: Session, shipment_ids: Iterable[int]) -> list[Shipment]:
    return list(session.scalars(
        sa.select(Shipment).where(Shipment.id.in_(list(shipment_ids))).order_by(Shipment.id)
        .options(selectinload(Shipment.order).selectinload(Order.lines)
                 .joinedload(OrderLine.variant), selectinload(Shipment.provider_account))))


def booking_request(shipment: Shipment, client) -> ShipmentRequest | Booked:
    """What to send for a draft (read from the database), or why it is not sent."""
    order = shipment.order
    if order.status != OrderStatus.PACKED:
        return Booked(shipment.id, error=f"Order {order.number} is {order.status.value}, not packed: "
                                         "not booked.")
    if shipment.provider_account is None:
        return Booked(shipment.id, error=f"Shipment {shipment} has no carrier account.")
    try:
        return build_request(shipment, order, shipment.provider_account, client)
    except RetryableError as exc:
        return Booked(shipment.id, error=exc.message, retryable=True)
    except IntegrationError as exc:
        return Booked(shipment.id, error=f"{CARRIER_NAMES[shipment.carrier.value]}: {exc.message}")
    except DomainError as exc:
        return Booked(shipment.id, error=exc.message)


def send_request(shipment_id: int, carrier: str, request: ShipmentRequest, client) -> Booked:
    """Create the carrier order under the shipment's key; after a timeout, ask for it by the key
    before anything else (GHN by client code; Viettel Post's uniqueness check is its lookup).
    Then fetch the carrier's label while its print token is fresh.
    Plain data in and out: safe on another thread than the session's."""
    try:
        try:
            created = client.create_shipment(request)
        except RetryableError:
            created = _find_booked(client, request)
            if created is None:
                raise
        return Booked(shipment_id, created, extra={"receiver": request.receiver,
                                                   "label": fetch_label(client, created.tracking_number)})
    except DuplicateReference:
        return Booked(shipment_id, error="awaiting waybill", extra={"awaiting": True})
    except RetryableError as exc:
        return Booked(shipment_id, error=exc.message, retryable=True)
    except IntegrationError as exc:
        return Booked(shipment_id, error=f"{CARRIER_NAMES[carrier]}: {exc.message}",
                      extra={"refused": True})


def fetch_label(client, tracking_number: str) -> tuple[bytes, str] | None:
    """The carrier's printable label for one parcel (GHN print token → A5 page; Viettel Post
    printing code → print page), or None if the carrier could not give it now: the parcel is booked
    either way, and a rerun of the job fetches what is missing."""
    try:
        content = client.label([tracking_number])
    except IntegrationError as exc:
        log.warning("no carrier label for %s yet: %s", tracking_number, exc)
        return None
    kind = "application/pdf" if content[:5] == b"%PDF-" else "text/html; charset=utf-8"
    return content, kind


def keep_label(shipment: Shipment, label: tuple[bytes, str] | None) -> None:
    if label is not None:
        shipment.carrier_label, shipment.carrier_label_type = label


def call_carrier(shipment: Shipment, client) -> Booked:
    """Build the request and send it (one shipment, in the caller's thread)."""
    request = booking_request(shipment, client)
    if isinstance(request, Booked):
        return request
    return send_request(shipment.id, shipment.carrier.value, request, client)


def _find_booked(client, request: ShipmentRequest) -> CreatedShipment | None:
    try:
        return client.find_booked(request)
    except RetryableError:
        return None


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def record_booking(session: Session, shipment: Shipment, created: CreatedShipment) -> Shipment:
    """Store what the carrier booked and ship the order (stock moves): building block, no commit."""
    if shipment.status != ShipmentStatus.DRAFT:
        return shipment
    now = utcnow()
    shipment.tracking_number = created.tracking_number
    shipment.sort_code = (created.sort_code or shipment.sort_code or None)
    shipment.fee_charged = created.fee
    if shipment.fee_quoted is None:
        shipment.fee_quoted = created.fee
    shipment.expected_delivery_at = _naive_utc(created.expected_delivery)
    shipment.status = ShipmentStatus.CREATED
    shipment.carrier_status = carrier_traits(shipment.carrier).initial_status
    shipment.status_at = None  # the carrier's own event times order what follows
    session.add(TrackingEvent(shipment=shipment, event_time=now, status=ShipmentStatus.CREATED,
                              carrier_status=shipment.carrier_status, source="booking",
                              description=("Found booked earlier under " if created.already_existed
                                           else "Booked under ") + shipment.client_reference))
    # The use case itself (not its commit=False wrapper, which flushes): a batch of bookings is
    # flushed once, in a few multi-row statements, by whoever commits.
    order = orders.record_shipment_moves.__wrapped__(session, shipment.order_id, shipment=shipment)
    from app.services.shipping_mail import shipment_mail
    send_after_commit(session, shipment_mail(order, shipment, "shipped"))
    return shipment


def book_shipments(session: Session, shipment_ids: list[int], clients,
                   progress: Callable[[int], None] | None = None, batch: int = 25) -> list[Booked]:
    """Book each draft (already-booked ones are skipped), committing every ``batch`` results.

    ``clients.get(account)`` gives the carrier client. The carrier calls of one batch run on a
    sender thread (one call at a time, as a single client would) while this thread records the
    previous batch, so the database work hides behind the carrier's answers. A refused shipment
    keeps its draft and its reason; a parcel booked for an order that can no longer ship is
    cancelled again with the carrier.
    """
    results: list[Booked] = []
    chunks = [shipment_ids[i:i + batch] for i in range(0, len(shipment_ids), batch)]
    done = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="carrier-sender") as sender:
        pending = None
        for chunk in chunks + [None]:
            future = None
            if chunk is not None:
                jobs, early = _requests_for(session, chunk, clients)
                # Mark what is about to be sent, and end the transaction: no transaction stays
                # open during the calls, and a crash from here on leaves drafts that say "this
                # key may be at the carrier" (cancelling the order then asks the carrier).
                _mark_sending(session, [j[0] for j in jobs if j[2] is not None])
                session.commit()
                future = sender.submit(_send_all, jobs)
            if pending is not None:
                early_results, sent = pending[0], pending[1].result()
                outcomes = early_results + sent
                _record(session, outcomes, clients)
                results += outcomes
                done += len(outcomes)
                if progress:
                    progress(done)
            pending = (early, future) if future is not None else None
    return results


SENDING = "sending"  # carrier_status of a draft whose create request may have reached the carrier


def _mark_sending(session: Session, shipment_ids: list[int]) -> None:
    if shipment_ids:
        session.execute(sa.update(Shipment).where(Shipment.id.in_(shipment_ids),
                                                  Shipment.carrier_status.is_(None))
                        .values(carrier_status=SENDING)
                        .execution_options(synchronize_session=False))


def _requests_for(session: Session, chunk: list[int], clients):
    """(shipment id, carrier, request or None for a label only, client, tracking) to send, and the
    outcomes known without the carrier."""
    jobs, early = [], []
    for shipment in load_for_booking(session, chunk):
        client = clients.get(shipment.provider_account) if shipment.provider_account else None
        if shipment.status == ShipmentStatus.CANCELLED:
            early.append(Booked(shipment.id, error=f"Shipment {shipment} is cancelled: not booked."))
            continue
        if shipment.status != ShipmentStatus.DRAFT:
            if shipment.carrier_label_type is None and client is not None:
                jobs.append((shipment.id, shipment.carrier.value, None, client,
                             shipment.tracking_number))  # booked by an earlier run, label missing
            else:
                early.append(Booked(shipment.id, extra={"already": True}))
            continue
        request = booking_request(shipment, client)
        if isinstance(request, Booked):
            early.append(request)
        else:
            jobs.append((shipment.id, shipment.carrier.value, request, client, None))
    return jobs, early


def _send_all(jobs) -> list[Booked]:
    out = []
    for shipment_id, carrier, request, client, tracking in jobs:
        if request is None:
            out.append(Booked(shipment_id, extra={"already": True,
                                                  "label": fetch_label(client, tracking)}))
        else:
            out.append(send_request(shipment_id, carrier, request, client))
    return out


def _record(session: Session, outcomes: list[Booked], clients) -> None:
    """Write a batch of carrier answers in one transaction; if one order refuses (it changed
    meanwhile), the batch is written again order by order so the others still go through."""
    booked = [o for o in outcomes if o.created is not None]
    touched = [o for o in outcomes if o.created is None and (
        o.extra.get("awaiting") or o.extra.get("label") or o.extra.get("refused"))]
    shipments = {s.id: s for s in load_for_booking(
        session, [o.shipment_id for o in booked + touched])}
    try:
        with session.no_autoflush:
            for outcome in booked:
                _record_one(session, shipments[outcome.shipment_id], outcome)
        _note_others(shipments, touched)
        session.commit()
        return
    except DomainError:
        session.rollback()
    shipments = {s.id: s for s in load_for_booking(
        session, [o.shipment_id for o in booked + touched])}
    for outcome in booked:
        shipment = shipments[outcome.shipment_id]
        try:
            with session.begin_nested():
                _record_one(session, shipment, outcome)
        except DomainError as exc:
            outcome.error = exc.message
            _undo_at_carrier(session, shipment, outcome.created, clients, exc.message)
    _note_others(shipments, touched)
    session.commit()


def _note_others(shipments: dict, outcomes: list[Booked]) -> None:
    """What the answers that booked nothing tell the draft: the carrier has the key but sent no
    waybill yet; the carrier refused the request (so the key is not at the carrier); a label
    fetched for a parcel booked earlier."""
    for outcome in outcomes:
        shipment = shipments.get(outcome.shipment_id)
        if shipment is None:
            continue
        if outcome.extra.get("awaiting"):
            shipment.carrier_status = AWAITING_WAYBILL
        elif outcome.extra.get("label") and shipment.status != ShipmentStatus.DRAFT:
            keep_label(shipment, outcome.extra["label"])
        elif outcome.extra.get("refused") and shipment.status == ShipmentStatus.DRAFT \
                and shipment.carrier_status == SENDING:
            shipment.carrier_status = None


def _record_one(session: Session, shipment: Shipment, outcome: Booked) -> None:
    if shipment.status != ShipmentStatus.DRAFT:
        return
    record_booking(session, shipment, outcome.created)
    keep_label(shipment, outcome.extra.get("label"))
    keep_area_codes(shipment.order, shipment.carrier.value, outcome.extra["receiver"])


UNDO_FAILED = "undo_failed"  # carrier_status of a draft whose parcel the carrier still holds


def _undo_at_carrier(session: Session, shipment: Shipment, created: CreatedShipment, clients,
                     reason: str) -> None:
    """The carrier booked a parcel for an order that can no longer ship: cancel it there too.

    If the carrier will not cancel it now, the shipment stays a draft (the order did not ship)
    that names the carrier's parcel: the order is flagged, and "Cancel shipment" (or cancelling
    the order) asks the carrier again; booking the order again finds that same parcel."""
    shipment = session.get(Shipment, shipment.id)
    shipment.tracking_number = created.tracking_number
    try:
        clients.get(shipment.provider_account).cancel(created.tracking_number)
        shipment.status = ShipmentStatus.CANCELLED
        shipment.note = f"Cancelled at once: {reason}"[:500]
    except IntegrationError as exc:
        shipment.status = ShipmentStatus.DRAFT
        shipment.carrier_status = UNDO_FAILED
        shipment.order.needs_attention = attention_note(
            attention_notes.UNDO_FAILED, tracking=created.tracking_number, reason=reason,
            error=exc.message, reference=shipment.client_reference)


def book_shipment(session: Session, shipment_id: int, client) -> Shipment:
    """Book one draft now; raises the refusal (RetryableError for a transient one)."""
    class One:
        def get(self, _account):
            return client
    [outcome] = book_shipments(session, [shipment_id], One())
    if outcome.retryable:
        raise RetryableError(outcome.error or "carrier unreachable")
    if outcome.error and not outcome.extra.get("awaiting"):
        raise DomainError(outcome.error)
    return session.get(Shipment, shipment_id)
