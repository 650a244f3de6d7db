"""What the shipping services see of a carrier, whichever carrier it is.

The clerk thinks in "fast or economy", "who pays the fee", "may the buyer look inside"; GHN and Viettel
Post each spell those differently (service ids, ``payment_type_id`` / ``ORDER_PAYMENT``, note codes)
and report progress with their own status codes. The dataclasses here are the one vocabulary the
jobs and views use; each client translates to and from its carrier's wire format, and the status
maps below translate every documented carrier status to one of ten normalized statuses.

Money is always ``int`` VND, weights grams, sizes centimetres.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from app.integrations.base import PermanentError

SERVICES = ("fast", "economy")
PAYERS = ("seller", "buyer")
REQUIRED_NOTES = ("allow_try", "allow_view", "no_view")


class ShipmentStatus(str, enum.Enum):
    """Where a parcel is, in the seller's terms (SPEC §5.3)."""

    CREATED = "created"                  # booked, waiting for the courier to pick it up
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"  # an attempt failed; the carrier may try again or return it
    RETURNING = "returning"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    LOST_OR_DAMAGED = "lost_or_damaged"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED,
                            ShipmentStatus.CANCELLED, ShipmentStatus.LOST_OR_DAMAGED})

S = ShipmentStatus

# GHN ``status`` strings (research A.4: all 22 documented values, plus ``scrap`` seen in one doc).
GHN_STATUS_MAP: dict[str, ShipmentStatus] = {
    "ready_to_pick": S.CREATED,
    "picking": S.CREATED,                 # courier on the way; still cancellable
    "money_collect_picking": S.CREATED,
    "picked": S.PICKED_UP,
    "storing": S.IN_TRANSIT,
    "transporting": S.IN_TRANSIT,
    "sorting": S.IN_TRANSIT,
    "delivering": S.OUT_FOR_DELIVERY,
    "money_collect_delivering": S.OUT_FOR_DELIVERY,
    "delivered": S.DELIVERED,
    "delivery_fail": S.DELIVERY_FAILED,
    "waiting_to_return": S.RETURNING,     # GHN has given up delivering; the parcel will come back
    "return": S.RETURNING,
    "return_transporting": S.RETURNING,
    "return_sorting": S.RETURNING,
    "returning": S.RETURNING,
    "return_fail": S.RETURNING,           # handing back to the seller failed; GHN tries again
    "returned": S.RETURNED,
    "cancel": S.CANCELLED,
    "exception": S.LOST_OR_DAMAGED,       # out of the normal flow: someone must look at it
    "lost": S.LOST_OR_DAMAGED,
    "damage": S.LOST_OR_DAMAGED,
    "scrap": S.LOST_OR_DAMAGED,
}

# Viettel Post numeric ``ORDER_STATUS`` codes (research B.5, every documented code).
VTP_STATUS_MAP: dict[int, ShipmentStatus] = {
    -100: S.CREATED,   # new, not yet approved
    -108: S.CREATED,   # seller dropped the parcel at a post office
    -109: S.CREATED,   # dropped at a collection point
    -110: S.CREATED,   # being handed over to the post office
    100: S.CREATED,    # accepted from the partner
    101: S.CANCELLED,  # Viettel Post asked to cancel
    102: S.CREATED,    # waiting to be processed
    103: S.CREATED,    # assigned to a post office for pickup
    104: S.CREATED,    # courier sent to pick up
    105: S.PICKED_UP,
    106: S.CREATED,    # partner asked for the pickup to be redone
    107: S.CANCELLED,  # partner cancelled through the API
    200: S.IN_TRANSIT,  # received at the origin post office
    201: S.CANCELLED,  # waybill entry cancelled
    202: S.IN_TRANSIT,  # waybill corrected
    300: S.IN_TRANSIT, 301: S.IN_TRANSIT, 302: S.IN_TRANSIT, 303: S.IN_TRANSIT,  # closed into lists/bags/trips
    400: S.IN_TRANSIT, 401: S.IN_TRANSIT, 402: S.IN_TRANSIT, 403: S.IN_TRANSIT,  # received at next hub
    500: S.OUT_FOR_DELIVERY,
    501: S.DELIVERED,
    502: S.RETURNING,
    503: S.CANCELLED,  # cancelled at the customer's request
    504: S.RETURNED,
    505: S.DELIVERY_FAILED,  # held; return announced
    506: S.DELIVERY_FAILED,  # held; buyer away / nobody home
    507: S.DELIVERY_FAILED,  # held; buyer will collect at the post office
    508: S.OUT_FOR_DELIVERY,  # delivering again
    509: S.IN_TRANSIT,   # forwarded to another post office
    510: S.IN_TRANSIT,   # delivery assignment cancelled (back in the office)
    515: S.RETURNING,    # delivering office approved the return
    550: S.OUT_FOR_DELIVERY,  # buyer asked for another delivery attempt
}


class UnknownCarrierStatus(PermanentError):
    """A status code no documentation lists: keep the raw value, tell someone."""


def normalize_ghn_status(raw: str) -> ShipmentStatus:
    try:
        return GHN_STATUS_MAP[str(raw).strip().lower()]
    except KeyError:
        raise UnknownCarrierStatus(f"GHN status {raw!r} is not documented", provider="ghn",
                                   code="unknown_status") from None


def normalize_vtp_status(raw: int | str) -> ShipmentStatus:
    try:
        return VTP_STATUS_MAP[int(raw)]
    except (KeyError, ValueError, TypeError):
        raise UnknownCarrierStatus(f"Viettel Post status {raw!r} is not documented",
                                   provider="viettelpost", code="unknown_status") from None


class DuplicateReference(PermanentError):
    """The carrier already has a shipment under our reference but did not say which one.

    Raised only when the duplicate answer carries no waybill; the shipment's tracking number then
    arrives with the carrier's first status callback (which quotes our reference).
    """

    def __init__(self, message: str, *, client_reference: str, **kwargs):
        super().__init__(message, **kwargs)
        self.client_reference = client_reference


@dataclass
class Party:
    """Sender or receiver, with both the readable address and the carrier's own area ids.

    ``province_id``/``district_id``/``ward_code`` are the *carrier's* ids (GHN ward codes are
    strings, Viettel Post ids ints); the names are what gets printed on the label.
    """

    name: str
    phone: str
    address: str                       # street and house number
    ward_name: str = ""
    district_name: str = ""
    province_name: str = ""
    province_id: int | None = None
    district_id: int | None = None
    ward_code: str | int | None = None
    email: str = ""

    @property
    def full_address(self) -> str:
        return ", ".join(p for p in (self.address, self.ward_name, self.district_name,
                                     self.province_name) if p)


@dataclass
class Item:
    name: str
    quantity: int = 1
    price: int = 0          # VND per unit
    weight_g: int = 0
    code: str = ""          # our SKU


@dataclass
class ShipmentRequest:
    """One parcel to book.

    ``cod_amount`` is exactly what the courier collects from the buyer for the goods. With
    ``payer="buyer"`` the carrier collects its own fee *on top* (GHN ``payment_type_id`` 2, Viettel
    Post ``ORDER_PAYMENT`` 2); if the shop instead folds the fee into the COD amount, book it with
    ``payer="seller"`` so the buyer is not charged twice. ``client_reference`` is the idempotency
    key (GHN ``client_order_code``, Viettel Post ``ORDER_NUMBER``): one per shipment attempt, ≤ 50
    characters, reused on every retry.
    """

    sender: Party
    receiver: Party
    weight_g: int
    length_cm: int
    width_cm: int
    height_cm: int
    client_reference: str
    cod_amount: int = 0
    goods_value: int = 0           # declared value, used for insurance
    service: str = "economy"       # "fast" | "economy"
    payer: str = "seller"          # who pays the shipping fee: "seller" | "buyer"
    required_note: str = "allow_view"  # "allow_try" | "allow_view" | "no_view"
    items: list[Item] = field(default_factory=list)
    content: str = ""              # short description of the goods
    note: str = ""                 # free text for the courier
    carrier_service_code: str | None = None  # from a Quote, to book exactly what was quoted

    def check(self) -> None:
        """Catch our own mistakes before the carrier does, so the message names our field."""
        if self.service not in SERVICES:
            raise ValueError(f"service must be one of {SERVICES}, not {self.service!r}")
        if self.payer not in PAYERS:
            raise ValueError(f"payer must be one of {PAYERS}, not {self.payer!r}")
        if self.required_note not in REQUIRED_NOTES:
            raise ValueError(f"required_note must be one of {REQUIRED_NOTES}")
        for name in ("weight_g", "length_cm", "width_cm", "height_cm", "cod_amount", "goods_value"):
            if not isinstance(getattr(self, name), int) or isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be an int")

    @property
    def description(self) -> str:
        if self.content:
            return self.content
        return ", ".join(f"{i.name} x{i.quantity}" for i in self.items)[:2000] or "Hàng hóa"


@dataclass
class Quote:
    service: str                  # "fast" | "economy"
    carrier_service_code: str     # GHN service_id, Viettel Post ORDER_SERVICE (e.g. "VCN")
    fee: int                      # total shipping fee, VND
    eta: datetime | None          # expected delivery
    name: str = ""                # the carrier's own name for the service
    raw: dict = field(default_factory=dict)


@dataclass
class CreatedShipment:
    tracking_number: str
    fee: int
    expected_delivery: datetime | None
    raw: dict
    client_reference: str = ""
    already_existed: bool = False  # True when a retry found the shipment booked earlier
    sort_code: str = ""


@dataclass
class ShipmentDetail:
    tracking_number: str
    client_reference: str
    raw_status: str
    status: ShipmentStatus
    cod_amount: int
    fee: int | None
    weight_g: int | None
    expected_delivery: datetime | None
    updated_at: datetime | None
    log: list[dict] = field(default_factory=list)
    raw: dict = field(default_factory=dict)


@dataclass
class TrackingUpdate:
    tracking_number: str
    client_reference: str
    raw_status: str
    status: ShipmentStatus
    event_time: datetime | None
    note: str = ""
    event_type: str = "status"     # GHN: create, switch_status, update_weight, update_cod, update_fee…
    location: str = ""
    cod_amount: int | None = None
    fee: int | None = None
    raw: dict = field(default_factory=dict)


REQUIRED_NOTE_TEXT = {
    "allow_try": "Cho thử hàng",
    "allow_view": "Cho xem hàng, không cho thử",
    "no_view": "Không cho xem hàng",
}


def party_from_areas(name: str, phone: str, address: str, province: dict, district: dict,
                     ward: dict) -> Party:
    """A :class:`Party` from entries of a sandbox ``AREAS`` fixture (both carriers share its shape)."""
    return Party(name=name, phone=phone, address=address, ward_name=ward["name"],
                 district_name=district["name"], province_name=province["name"],
                 province_id=province["id"], district_id=district["id"], ward_code=ward["id"])


def as_int(value: Any, default: int | None = None) -> int | None:
    """Carriers send money and weights as ints, floats or numeric strings; we keep ints."""
    if value is None or value == "":
        return default
    try:
        return int(Decimal(str(value)).to_integral_value(rounding=ROUND_HALF_UP))
    except (InvalidOperation, TypeError, ValueError):
        return default
