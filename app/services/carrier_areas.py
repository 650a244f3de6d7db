"""The carrier's own ids for a delivery address: GHN province id, district id and ward code,
Viettel Post province, district and ward ids.

Addresses are today's two levels (province → ward, see :mod:`app.services.divisions`); both
carriers list them apart from their old master data (GHN ``/v3/master-data/…``, Viettel Post
``/v3/categories/list…New``), each ward row naming the district the carrier still routes and
prices it by — which is where the district both carriers still want comes from. Names are matched
the way :mod:`~app.services.divisions` compares them (tone placement, "Phường"/"TP." prefixes,
capitals), since each carrier writes them its own way.

The look-up is done once per order and kept in ``Order.area_codes[<carrier>]``; master data is
cached per carrier host for the process. Reused for a sender's address (provider accounts).
"""
from __future__ import annotations

import threading

from app.services import divisions
from app.services.errors import N_, ValidationError

_cache: dict[tuple, list] = {}
_lock = threading.Lock()
CARRIER_NAMES = {"ghn": "GHN", "viettelpost": "Viettel Post"}
# carrier → (province id, province name keys, ward id, ward name keys, district id)
_FIELDS = {
    "ghn": ("ProvinceID", ("ProvinceName", "NameExtension"), "WardCode", ("WardName", "NameExtension"),
            "DistrictID"),
    "viettelpost": ("PROVINCE_ID", ("PROVINCE_NAME",), "WARDS_ID", ("WARDS_NAME",), "DISTRICT_ID"),
}
_PREFIXES = ("thành phố ", "tỉnh ", "tp. ", "tp.", "tp ", "phường ", "xã ", "đặc khu ")


def _keys(name) -> set[str]:
    full = divisions.spelling(name)
    bare = full
    for prefix in _PREFIXES:
        if bare.startswith(prefix):
            bare = bare[len(prefix):].strip()
            break
    return {full, bare}


def _names(row: dict, keys: tuple[str, ...]) -> list[str]:
    out = []
    for key in keys:
        value = row.get(key)
        out += [str(v) for v in value] if isinstance(value, list) else [value] if value else []
    return out


def _match(rows: list[dict], names: list[str], keys: tuple[str, ...]) -> dict | None:
    """The one row called by one of ``names``: the full name first, then without its prefix."""
    wanted = [divisions.spelling(n) for n in names if n]
    for exact in (True, False):
        found = [row for row in rows if any(
            (w in {divisions.spelling(n) for n in _names(row, keys)}) if exact else
            (_keys(w) & set().union(*(_keys(n) for n in _names(row, keys))))
            for w in wanted)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return None
    return None


def _cached(client, kind: str, arg=None) -> list:
    key = (client.system, client.base_url, kind, arg)
    with _lock:
        if key in _cache:
            return _cache[key]
    fetch = getattr(client, kind)
    rows = fetch() if arg is None else fetch(arg)
    with _lock:
        _cache[key] = rows
    return rows


def area_ids(client, province, ward) -> dict:
    """The carrier's ids for a province and ward of today's divisions (names or GSO codes).

    GHN: ``{"province_id", "district_id", "ward_code"}``; Viettel Post: ``{"province_id",
    "district_id", "ward_id"}``. A ValidationError names the part the carrier does not know.
    """
    carrier = CARRIER_NAMES.get(client.system, client.system)
    found_province = divisions.find_province(province)
    found_ward = divisions.find_ward(found_province.code, ward) if found_province else None
    if found_province is None or found_ward is None:
        part = "ship_province" if found_province is None else "ship_ward"
        raise ValidationError(part, N_("The shipping address has no valid province and ward: "
                                       "choose them on the order before booking with "
                                       "%(carrier)s."), carrier=carrier)
    pid_key, province_keys, wid_key, ward_keys, did_key = _FIELDS[client.system]
    row = _match(_cached(client, "provinces_new"),
                 [found_province.name, found_province.short_name], province_keys)
    if row is None:
        raise ValidationError("ship_province", N_("%(carrier)s does not deliver to %(name)s."),
                              carrier=carrier, name=found_province.name)
    ward_row = _match(_cached(client, "wards_new", row[pid_key]), [found_ward.name], ward_keys)
    if ward_row is None or ward_row.get(did_key) in (None, ""):
        raise ValidationError("ship_ward", N_("%(carrier)s does not know %(name)s in %(within)s "
                                              "yet: book with the other carrier or ask "
                                              "%(carrier)s."),
                              carrier=carrier, name=found_ward.name, within=found_province.name)
    return client.area_codes(row[pid_key], ward_row[did_key], ward_row[wid_key])
