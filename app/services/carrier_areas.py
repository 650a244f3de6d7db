"""The carrier's own ids for a delivery address (GHN district id + ward code, Viettel Post province,
district and ward ids), looked up by name in the carrier's master data when an order lacks them.

Orders from marketplaces and the quick entry carry names ("Phường Bến Nghé, Quận 1, TP. Hồ Chí
Minh"); the carriers want their own ids. The lookup is done once per order and kept in
``Order.area_codes[<carrier>]``; master data is cached per carrier host for the process.
"""
from __future__ import annotations

import threading
import unicodedata

from app.services.errors import N_, ValidationError

_cache: dict[tuple, list] = {}
_lock = threading.Lock()
PREFIXES = ("thành phố ", "tp. ", "tp.", "tp ", "tỉnh ")


def name_key(name) -> str:
    text = unicodedata.normalize("NFC", str(name or "")).strip().casefold()
    for prefix in PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):]
    return " ".join(text.split())


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


def _match(rows: list[dict], name: str, id_key: str, name_keys: tuple[str, ...]):
    wanted = name_key(name)
    for row in rows:
        names = [row.get(k) for k in name_keys if isinstance(row.get(k), str)]
        for k in name_keys:
            if isinstance(row.get(k), list):
                names += [str(n) for n in row[k]]
        if any(name_key(n) == wanted for n in names):
            return row[id_key]
    return None


def resolve(client, province: str | None, district: str | None, ward: str | None) -> dict:
    """The carrier's ids for the address names; ValidationError names the part not found."""
    if client.system == "ghn":
        keys = {"province": ("ProvinceID", ("ProvinceName", "NameExtension")),
                "district": ("DistrictID", ("DistrictName", "NameExtension")),
                "ward": ("WardCode", ("WardName", "NameExtension"))}
    else:
        keys = {"province": ("PROVINCE_ID", ("PROVINCE_NAME",)),
                "district": ("DISTRICT_ID", ("DISTRICT_NAME",)),
                "ward": ("WARDS_ID", ("WARDS_NAME",))}
    carrier = "GHN" if client.system == "ghn" else "Viettel Post"
    province_id = _match(_cached(client, "provinces"), province, *keys["province"])
    if province_id is None:
        raise ValidationError("ship_province", N_("%(carrier)s does not know the province "
                                                  "%(name)s: correct the shipping address."),
                              carrier=carrier, name=repr(province))
    district_id = _match(_cached(client, "districts", province_id), district, *keys["district"])
    if district_id is None:
        raise ValidationError("ship_district", N_("%(carrier)s does not know the district %(name)s "
                                                  "in %(within)s: correct the shipping address."),
                              carrier=carrier, name=repr(district), within=province)
    ward_id = _match(_cached(client, "wards", district_id), ward, *keys["ward"])
    if ward_id is None:
        raise ValidationError("ship_ward", N_("%(carrier)s does not know the ward %(name)s in "
                                              "%(within)s: correct the shipping address."),
                              carrier=carrier, name=repr(ward), within=district)
    if client.system == "ghn":
        return {"province_id": province_id, "district_id": district_id, "ward_code": str(ward_id)}
    return {"province_id": province_id, "district_id": district_id, "ward_id": ward_id}
