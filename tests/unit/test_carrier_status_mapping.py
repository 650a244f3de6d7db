"""Every status the carriers document maps to one normalized status (research A.4 and B.5)."""
from __future__ import annotations

import pytest

from app.integrations.carriers.common import (GHN_STATUS_MAP, VTP_STATUS_MAP, ShipmentStatus,
                                              UnknownCarrierStatus, normalize_ghn_status,
                                              normalize_vtp_status)

S = ShipmentStatus

# Written out from the documentation, independently of the maps under test.
GHN_DOCUMENTED = {
    "ready_to_pick": S.CREATED, "picking": S.CREATED, "money_collect_picking": S.CREATED,
    "picked": S.PICKED_UP, "storing": S.IN_TRANSIT, "transporting": S.IN_TRANSIT,
    "sorting": S.IN_TRANSIT, "delivering": S.OUT_FOR_DELIVERY,
    "money_collect_delivering": S.OUT_FOR_DELIVERY, "delivered": S.DELIVERED,
    "delivery_fail": S.DELIVERY_FAILED, "waiting_to_return": S.RETURNING, "return": S.RETURNING,
    "return_transporting": S.RETURNING, "return_sorting": S.RETURNING, "returning": S.RETURNING,
    "return_fail": S.RETURNING, "returned": S.RETURNED, "cancel": S.CANCELLED,
    "exception": S.LOST_OR_DAMAGED, "lost": S.LOST_OR_DAMAGED, "damage": S.LOST_OR_DAMAGED,
}

VTP_DOCUMENTED = {
    -100: S.CREATED, -108: S.CREATED, -109: S.CREATED, -110: S.CREATED, 100: S.CREATED,
    101: S.CANCELLED, 102: S.CREATED, 103: S.CREATED, 104: S.CREATED, 105: S.PICKED_UP,
    106: S.CREATED, 107: S.CANCELLED, 200: S.IN_TRANSIT, 201: S.CANCELLED, 202: S.IN_TRANSIT,
    300: S.IN_TRANSIT, 301: S.IN_TRANSIT, 302: S.IN_TRANSIT, 303: S.IN_TRANSIT,
    400: S.IN_TRANSIT, 401: S.IN_TRANSIT, 402: S.IN_TRANSIT, 403: S.IN_TRANSIT,
    500: S.OUT_FOR_DELIVERY, 501: S.DELIVERED, 502: S.RETURNING, 503: S.CANCELLED,
    504: S.RETURNED, 505: S.DELIVERY_FAILED, 506: S.DELIVERY_FAILED, 507: S.DELIVERY_FAILED,
    508: S.OUT_FOR_DELIVERY, 509: S.IN_TRANSIT, 510: S.IN_TRANSIT, 515: S.RETURNING,
    550: S.OUT_FOR_DELIVERY,
}


def test_ghn_documents_22_statuses_and_all_are_mapped():
    assert len(GHN_DOCUMENTED) == 22
    assert set(GHN_DOCUMENTED) <= set(GHN_STATUS_MAP)


@pytest.mark.parametrize("raw, expected", sorted(GHN_DOCUMENTED.items()))
def test_ghn_status(raw, expected):
    assert normalize_ghn_status(raw) is expected
    assert normalize_ghn_status(raw.upper()) is expected


@pytest.mark.parametrize("raw, expected", sorted(VTP_DOCUMENTED.items()))
def test_vtp_status(raw, expected):
    assert normalize_vtp_status(raw) is expected
    assert normalize_vtp_status(str(raw)) is expected  # callbacks may send strings


def test_vtp_map_covers_exactly_the_documented_codes():
    assert set(VTP_STATUS_MAP) == set(VTP_DOCUMENTED)


def test_every_normalized_status_is_reachable():
    reached = set(GHN_STATUS_MAP.values()) | set(VTP_STATUS_MAP.values())
    assert reached == set(ShipmentStatus)


def test_final_statuses():
    assert {s for s in ShipmentStatus if s.is_final} == {S.DELIVERED, S.RETURNED, S.CANCELLED,
                                                         S.LOST_OR_DAMAGED}


@pytest.mark.parametrize("raw", ["teleported", "", None])
def test_unknown_ghn_status_is_reported(raw):
    with pytest.raises(UnknownCarrierStatus):
        normalize_ghn_status(raw)


@pytest.mark.parametrize("raw", [999, "abc", None])
def test_unknown_vtp_status_is_reported(raw):
    with pytest.raises(UnknownCarrierStatus):
        normalize_vtp_status(raw)
