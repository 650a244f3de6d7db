"""Old three-level addresses (province → district → ward, before 1 July 2025) into today's
two-level ones (province → ward).

Marketplaces and long-time buyers still send "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh", which
today is "Phường Sài Gòn, Thành phố Hồ Chí Minh". ``vietnam-provinces`` has only today's units; the
old → new table comes from ``vietnam-address-converter`` (the official 2025 mapping of every old
ward to the new ward(s) it went into, 10,358 rows). Its new names are matched to the GSO's by
:func:`app.services.divisions.find_ward`, so the result is always a unit of
:mod:`app.services.divisions`.

An old ward that was split between several new wards has no single answer: the candidates are
returned and a person chooses (the order is kept and flagged, never guessed).

The table (about 60 MB in memory) is loaded on the first conversion only; forms and new-style
addresses never load it.
"""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field

from app.services import divisions

_lock = threading.Lock()


@dataclass(frozen=True)
class Conversion:
    """``ward`` when the old address leads to one new ward; else ``candidates`` (a split ward),
    or neither (not an old address the table knows)."""

    ward: divisions.Ward | None = None
    province: divisions.Province | None = None
    candidates: tuple[divisions.Ward, ...] = field(default=())


@functools.lru_cache(maxsize=1)
def _converter():
    with _lock:
        from vietnam_address_converter.conversion import convert_old_to_new
        from vietnam_address_converter.data import DEFAULT_DATA
    # The module-level function over the shipped data: the package's converter class also builds
    # free-text indexes, which takes ~18 s and is not needed for fields that are already split.
    return lambda given: convert_old_to_new(given, None, DEFAULT_DATA)


def _new_ward(candidate: dict) -> divisions.Ward | None:
    new_province = (candidate.get("new_province") or {}).get("name_with_type") or \
        (candidate.get("new_province") or {}).get("name")
    new_ward = (candidate.get("new_ward") or {}).get("name_with_type")
    province = divisions.find_province(new_province)
    if province is None or not new_ward:
        return None
    return divisions.find_ward(province.code, new_ward)


@functools.lru_cache(maxsize=4096)
def convert(province: str, district: str, ward: str) -> Conversion:
    """The new ward for an old (province, district, ward); see :class:`Conversion`."""
    if not (province and district and ward):
        return Conversion()
    answer = _converter()({"province_name": province, "district_name": district,
                           "ward_name": ward})
    status = answer.get("status")
    if status == "matched" and answer.get("result"):
        found = _new_ward(answer["result"])
        if found is not None:
            return Conversion(ward=found, province=divisions.province(found.province_code))
    if status == "ambiguous":
        wards = []
        for candidate in answer.get("candidates") or []:
            found = _new_ward(candidate)
            if found is not None and found not in wards:
                wards.append(found)
        if len(wards) == 1:
            return Conversion(ward=wards[0], province=divisions.province(wards[0].province_code))
        if wards:
            return Conversion(province=divisions.province(wards[0].province_code),
                              candidates=tuple(wards))
    return Conversion()
