"""A delivery address a carrier will take: a street, and a province and ward of today's divisions.

Every way an order comes in checks it here: the clerk's forms and the website's API refuse an
address that names no real province and ward (saying which part is wrong); a marketplace's address
is never refused — the order is kept as sent and flagged when the address cannot be resolved.
Old three-level addresses (with a district, before 2025) are converted to today's ward when the
conversion has one answer (:mod:`app.services.old_addresses`); a ward that was split asks a person.

An order is confirmed and packed only with a complete, checked address (:func:`require_for`).
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from app.services import divisions, old_addresses
from app.services.attention_notes import ADDRESS, note as attention_note
from app.services.errors import N_, FieldMessage, ValidationError

PARTS = ("street", "ward", "district", "province")
SHIP_FIELDS = ("ship_street", "ship_ward", "ship_district", "ship_province")
_SHIP_NAMES = {"street": "ship_street", "ward": "ship_ward", "district": "ship_district",
               "province": "ship_province"}


@dataclass(frozen=True)
class Address:
    street: str
    ward: divisions.Ward
    province: divisions.Province

    def fields(self, prefix: str = "") -> dict:
        """Stored as chosen: names as the GSO writes them, their codes, no district (none today)."""
        return {f"{prefix}street": self.street, f"{prefix}ward": self.ward.name,
                f"{prefix}district": None, f"{prefix}province": self.province.name,
                f"{prefix}province_code": self.province.code, f"{prefix}ward_code": self.ward.code}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def resolve(values: Mapping, names: Mapping[str, str] | None = None, *,
            need_street: bool = True) -> Address:
    """The address in ``values`` (``street``, ``province``, ``ward``, optional ``district``; names
    or GSO codes), checked. A ValidationError names the field (``names`` maps a part to the
    caller's field name) and the rule."""
    names = {p: p for p in PARTS} | dict(names or {})
    street, district = _text(values.get("street")), _text(values.get("district"))
    given_province, given_ward = _text(values.get("province")), _text(values.get("ward"))
    if need_street and not street:
        raise ValidationError(names["street"], N_("The shipping address needs a street and house "
                                                  "number."))
    if not given_province:
        raise ValidationError(names["province"], N_("The shipping address needs a province: "
                                                    "choose it from the list."))
    if not given_ward:
        raise ValidationError(names["ward"], N_("The shipping address needs a ward: choose it "
                                                "from the list."))
    province = divisions.find_province(given_province)
    ward = divisions.find_ward(province.code, given_ward) if province else None
    if ward is None and district:
        converted = old_addresses.convert(given_province, district, given_ward)
        if converted.ward is not None:
            province, ward = converted.province, converted.ward
        elif converted.candidates:
            raise ValidationError(names["ward"], N_(
                "%(ward)s, %(district)s was split in 2025 between %(choices)s: choose the ward "
                "the buyer lives in now."), ward=given_ward, district=district,
                choices=", ".join(w.name for w in converted.candidates))
    if province is None:
        raise ValidationError(names["province"], N_("%(value)s is not a province of Vietnam: "
                                                    "choose one from the list."),
                              value=given_province)
    if ward is None:
        raise ValidationError(names["ward"], N_("%(value)s is not a ward of %(province)s: choose "
                                                "one from the list."),
                              value=given_ward, province=province.name)
    return Address(street, ward, province)


def street_only(street, *units) -> str:
    """The street part of an address line that repeats its units (Shopee's ``full_address``:
    "12 Lý Tự Trọng, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh")."""
    known = {divisions.spelling(u) for u in (*units, "Việt Nam", "Vietnam") if _text(u)}
    parts = [p.strip() for p in _text(street).split(",")]
    while len(parts) > 1 and divisions.spelling(parts[-1]) in known:
        parts.pop()
    return ", ".join(p for p in parts if p)


def for_import(street, ward, district, province) -> tuple[dict, str | None]:
    """A marketplace's address: resolved when it can be, else kept as sent with the reason it
    could not (the order is flagged, never dropped). Returns the order's ``ship_*`` fields and
    that reason or None."""
    street = street_only(street, ward, district, province) or None
    found, problem = _units(_text(ward), _text(district), _text(province))
    if found is None:
        return {"ship_street": street, "ship_ward": _text(ward) or None,
                "ship_district": _text(district) or None,
                "ship_province": _text(province) or None}, problem
    return found.fields("ship_") | {"ship_street": street}, None


@functools.lru_cache(maxsize=4096)
def _units(ward: str, district: str, province: str) -> tuple[Address | None, str | None]:
    """An import batch names the same few places again and again: each is resolved once."""
    try:
        return resolve({"ward": ward, "district": district, "province": province},
                       need_street=False), None
    except ValidationError as exc:
        return None, exc.message


class AddressIncomplete(ValidationError):
    """An order's address stops an action; the problem is shown in the reader's language."""

    translatable = ("problem",)


REFUSALS = {"confirm": N_("Order %(number)s cannot be confirmed: %(problem)s"),
            "pack": N_("Order %(number)s cannot be packed: %(problem)s")}
ATTENTION_PREFIX = "Address: "  # how ADDRESS (attention_notes) starts


def attention(current: str | None, problem: str | None) -> str | None:
    """``needs_attention`` with the address problem (stored as data, like the unknown-SKU note)."""
    kept = [p for p in (current or "").split(" | ") if p and not p.startswith(ATTENTION_PREFIX)]
    if problem:
        kept.append(attention_note(ADDRESS, problem=problem))
    return " | ".join(kept)[:500] or None


def problem_of(order) -> ValidationError | None:
    """What stops the order's address from being used (None when it is complete or resolvable)."""
    if order.ship_province_code and order.ship_ward_code and _text(order.ship_street):
        return None
    try:
        _resolve_order(order)
    except ValidationError as exc:
        return exc
    return None


def _resolve_order(order) -> Address:
    return resolve({"street": order.ship_street, "ward": order.ship_ward_code or order.ship_ward,
                    "district": order.ship_district,
                    "province": order.ship_province_code or order.ship_province}, _SHIP_NAMES)


def require_for(order, action: str) -> None:
    """An order is confirmed or packed only with a street and a checked province and ward.

    An address stored before addresses were checked (names only) is resolved now and its codes
    kept; one that cannot be resolved is refused, naming the part at fault.
    """
    checked = order.ship_province_code and order.ship_ward_code and _text(order.ship_street)
    if checked:
        ward = divisions.ward(order.ship_ward_code)
        if ward is not None and ward.province_code == order.ship_province_code:
            order.needs_attention = attention(order.needs_attention, None)
            return
    try:
        found = _resolve_order(order)
    except ValidationError as exc:
        problem = FieldMessage(exc.template, **exc.details)
        raise AddressIncomplete(exc.field, REFUSALS[action], number=order.number,
                                problem=problem) from None
    for key, value in found.fields("ship_").items():
        if getattr(order, key) != value:
            setattr(order, key, value)
    order.needs_attention = attention(order.needs_attention, None)




def ship_changes(order, changes: dict) -> dict:
    """``changes`` to an order's header with its address checked: when any address part is
    given, the whole address (the given parts over the order's) must resolve; the stored names
    and codes then follow the divisions, and carrier ids found for the old address are dropped."""
    if not any(f in changes for f in SHIP_FIELDS):
        return changes
    current = {part: getattr(order, field, None) if order is not None else None
               for part, field in _SHIP_NAMES.items()}
    if order is not None and "ship_ward" not in changes and "ship_province" not in changes:
        current.update(ward=order.ship_ward_code or order.ship_ward,
                       province=order.ship_province_code or order.ship_province)
    given = {part: changes[field] for part, field in _SHIP_NAMES.items() if field in changes}
    found = resolve(current | given, _SHIP_NAMES)
    out = {k: v for k, v in changes.items() if k not in SHIP_FIELDS}
    out.update(found.fields("ship_"))
    if order is not None and order.ship_ward_code != found.ward.code:
        out["area_codes"] = None
    return out


def check_saved(record) -> None:
    """A customer's (or a saved) address: it may be left empty, but a province or ward given must
    be real, and both are then needed; the names and codes follow the divisions."""
    parts = {p: getattr(record, p, None) for p in PARTS}
    if not any(_text(parts[p]) for p in ("ward", "district", "province")):
        record.province_code = record.ward_code = None
        return
    found = resolve(parts, need_street=False)
    for key, value in found.fields().items():
        if key != "street" and getattr(record, key) != value:
            setattr(record, key, value)
