"""Our own shipping labels: one PDF per parcel, or one PDF for a whole batch with a pick list first.

Carriers print labels too (GHN's A5 page, Viettel Post's print host), but the packing table needs
one format for every carrier, on A6 thermal stock, printable in one go for a morning's batch. Each
label carries a Code 128 barcode of the tracking number (what the courier scans), both addresses
in full Vietnamese, the COD amount the courier must collect, weight, service and the required note.

Input is plain data (:class:`ShippingLabel` or an equivalent dict) so a job can render without a
database; the caller maps its shipment records.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

from app.pdf import render_pdf

SHOP_ZONE = "Asia/Ho_Chi_Minh"  # the default of ORDERHUB_TIMEZONE (config SHOW_TIMEZONE)


@dataclass
class LabelParty:
    name: str
    phone: str
    address: str            # the full address: street, ward, district, province


@dataclass
class LabelItem:
    name: str
    quantity: int = 1
    sku: str = ""


@dataclass
class ShippingLabel:
    carrier: str                    # printed as is: "GHN", "Viettel Post"
    tracking_number: str
    order_number: str               # our order number, for the packer
    sender: LabelParty
    receiver: LabelParty
    cod_amount: int = 0             # VND the courier collects; 0 prints "Không thu tiền"
    weight_g: int = 0
    service: str = ""               # e.g. "Nhanh", "Tiết kiệm", or the carrier's service name
    required_note: str = ""         # e.g. "Cho xem hàng, không cho thử"
    items: list[LabelItem] = field(default_factory=list)
    sort_code: str = ""
    note: str = ""
    created_at: datetime | None = None

    @classmethod
    def coerce(cls, value: "ShippingLabel | Mapping") -> "ShippingLabel":
        """Accept a ShippingLabel or a dict of the same fields (nested dicts for parties and items)."""
        if isinstance(value, cls):
            return value
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in dict(value).items() if k in known}
        for party in ("sender", "receiver"):
            if isinstance(data.get(party), Mapping):
                data[party] = LabelParty(**data[party])
        data["items"] = [i if isinstance(i, LabelItem) else LabelItem(**i) for i in data.get("items") or []]
        return cls(**data)


@dataclass
class PickLine:
    sku: str
    name: str
    quantity: int
    parcels: int


def pick_lines(labels: Iterable[ShippingLabel]) -> list[PickLine]:
    """What to take off the shelves for these parcels: quantities summed per SKU (or name)."""
    lines: "OrderedDict[tuple[str, str], PickLine]" = OrderedDict()
    for label in labels:
        for item in label.items:
            key = (item.sku, item.name if not item.sku else "")
            line = lines.setdefault(key, PickLine(item.sku, item.name, 0, 0))
            line.quantity += int(item.quantity)
            line.parcels += 1
    return sorted(lines.values(), key=lambda line: (line.sku or "~", line.name))


def render_label(label: ShippingLabel | Mapping) -> bytes:
    """One A6 page: the label of one parcel."""
    return render_pdf("pdf/label.html", labels=[ShippingLabel.coerce(label)])


def render_labels(labels: Iterable[ShippingLabel | Mapping], pick_list: bool = True,
                  zone: str = SHOP_ZONE) -> bytes:
    """One PDF for a batch: the pick list first (unless ``pick_list=False``, printed at the
    shop's time in ``zone``), then one label a page."""
    batch = [ShippingLabel.coerce(label) for label in labels]
    if not batch:
        raise ValueError("no labels to print")
    lines = pick_lines(batch) if pick_list else []
    return render_pdf("pdf/labels_bulk.html", labels=batch, pick_lines=lines, with_pick_list=pick_list,
                      printed_at=datetime.now(ZoneInfo(zone)), total_cod=sum(int(lb.cod_amount) for lb in batch))

