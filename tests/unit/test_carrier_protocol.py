"""Services ask a provider what it can do; none of them branches on a provider's name (issue #16.4).

The carriers' differences (their code for a new parcel, the insurance cap, how a booking names a
ward, whether a parcel can be looked up, how a lost booking answer is recovered) live on the client
classes in app/integrations/carriers/, read through ``carrier_traits``."""
from __future__ import annotations

import re
from pathlib import Path

from app.services.carrier_clients import CARRIER_CLASSES, carrier_traits, carriers_that_look_up

SERVICES = Path(__file__).resolve().parents[2] / "app" / "services"
# The registries: the one place per kind of provider that maps a provider's code to its client.
REGISTRIES = {"carrier_clients.py", "channel_clients.py", "einvoice_clients.py"}
BRANCH = re.compile(r"""(==|!=)\s*["'](ghn|viettelpost|sinvoice|misa|shopee|lazada|tiktok)["']"""
                    r"""|\.system\s*(==|!=)""")


def test_no_service_branches_on_a_providers_name():
    found = []
    for path in sorted(SERVICES.rglob("*.py")):
        if path.name in REGISTRIES:
            continue
        found += [f"{path.relative_to(SERVICES)}:{n}: {line.strip()}"
                  for n, line in enumerate(path.read_text().splitlines(), 1) if BRANCH.search(line)]
    assert not found, "\n".join(found)


def test_every_carrier_states_what_services_ask_of_it():
    for code, cls in CARRIER_CLASSES.items():
        assert carrier_traits(code) is cls
        assert isinstance(cls.initial_status, str) and cls.initial_status
        assert cls.max_insurance is None or cls.max_insurance > 0
        assert isinstance(cls.looks_up, bool)
        codes = cls.area_codes(202, 1455, 21211)
        assert codes["province_id"] == 202 and codes["district_id"] == 1455
        assert set(codes) - {"province_id", "district_id"} in ({"ward_code"}, {"ward_id"})
        assert callable(getattr(cls, "find_booked"))


def test_the_carriers_differ_where_their_protocols_do():
    ghn, vtp = carrier_traits("ghn"), carrier_traits("viettelpost")
    assert ghn.area_codes(1, 2, 21211) == {"province_id": 1, "district_id": 2, "ward_code": "21211"}
    assert vtp.area_codes(1, 2, 21211) == {"province_id": 1, "district_id": 2, "ward_id": 21211}
    assert (ghn.initial_status, vtp.initial_status) == ("ready_to_pick", "-100")
    assert ghn.max_insurance == 5_000_000 and vtp.max_insurance is None
    assert carriers_that_look_up() == ["ghn"]
