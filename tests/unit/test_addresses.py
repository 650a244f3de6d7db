"""Addresses against Vietnam's administrative divisions since 2025 (province → ward)."""
import pytest

from app.services import addresses, divisions, old_addresses
from app.services.errors import ValidationError


def test_34_provinces_found_however_people_write_them():
    assert len(divisions.provinces()) == 34
    hcm = divisions.province(79)
    for written in ("TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Hồ Chí Minh", "ho chi minh",
                    "TPHCM", "hcm", "79"):
        assert divisions.find_province(written) == hcm, written
    assert divisions.find_province("Bình Dương") is None  # merged into Hồ Chí Minh in 2025
    assert divisions.find_province("Thừa Thiên Huế").name == "Thành phố Huế"


def test_a_ward_is_found_with_or_without_prefix_diacritics_and_old_tone_marks():
    assert divisions.find_ward(79, "Phường Sài Gòn").code == 26740
    assert divisions.find_ward(79, "sai gon").code == 26740
    assert divisions.find_ward(79, "26740").name == "Phường Sài Gòn"
    assert divisions.find_ward(1, "26740") is None             # a ward of another province
    # "Hòa" and "Hoà" are one name (the GSO itself writes both).
    assert divisions.find_ward(48, "Phường Hoà Cường") == divisions.find_ward(48, "Phường Hòa Cường")
    assert divisions.find_ward(79, "Phường Bến Nghé") is None  # no such ward since 2025


def test_search_as_you_type_matches_word_starts_without_diacritics():
    assert [p.name for p in divisions.search(divisions.provinces(), "ho chi")] == \
        ["Thành phố Hồ Chí Minh"]
    assert divisions.search(divisions.provinces(), "hcm")[0].code == 79
    assert [w.name for w in divisions.search(divisions.wards_of(79), "ben th")] == \
        ["Phường Bến Thành"]
    assert divisions.search(divisions.wards_of(79), "zzz") == []


@pytest.mark.parametrize("old,new", [
    (("TP. Hồ Chí Minh", "Quận 1", "Phường Bến Nghé"), "Phường Sài Gòn"),
    (("Hồ Chí Minh", "Quận 3", "Phường 9"), "Phường Nhiêu Lộc"),
    (("Hà Nội", "Quận Hoàn Kiếm", "Phường Hàng Bạc"), "Phường Hoàn Kiếm"),
    (("Cần Thơ", "Quận Ninh Kiều", "Phường An Hòa"), "Phường Cái Khế"),
])
def test_old_three_level_addresses_convert_to_todays_ward(old, new):
    converted = old_addresses.convert(*old)
    assert converted.ward.name == new and not converted.candidates


def test_a_ward_split_in_2025_gives_its_candidates_not_a_guess():
    converted = old_addresses.convert("Hà Nội", "Quận Thanh Xuân", "Phường Thanh Xuân Trung")
    assert converted.ward is None
    assert {w.name for w in converted.candidates} == {"Phường Khương Đình", "Phường Thanh Xuân"}


def test_resolve_names_the_part_at_fault():
    def field(values):
        with pytest.raises(ValidationError) as err:
            addresses.resolve(values)
        return err.value.field, err.value.message

    assert field({"province": "Hồ Chí Minh", "ward": "Sài Gòn"})[0] == "street"
    assert field({"street": "1 Lê Lợi", "ward": "Sài Gòn"})[0] == "province"
    assert field({"street": "1 Lê Lợi", "province": "Hồ Chí Minh"})[0] == "ward"
    assert field({"street": "1", "province": "Atlantis", "ward": "X"}) == \
        ("province", "Atlantis is not a province of Vietnam: choose one from the list.")
    assert field({"street": "1", "province": "Hà Nội", "ward": "Phường Sài Gòn"}) == \
        ("ward", "Phường Sài Gòn is not a ward of Thành phố Hà Nội: choose one from the list.")
    part, message = field({"street": "1", "province": "Hà Nội", "district": "Quận Thanh Xuân",
                           "ward": "Phường Thanh Xuân Trung"})
    assert part == "ward" and "Phường Khương Đình, Phường Thanh Xuân" in message


def test_resolve_stores_todays_units_with_their_codes():
    found = addresses.resolve({"street": "12 Lý Tự Trọng", "ward": "Phường Bến Nghé",
                               "district": "Quận 1", "province": "TP. Hồ Chí Minh"})
    assert found.fields("ship_") == {
        "ship_street": "12 Lý Tự Trọng", "ship_ward": "Phường Sài Gòn", "ship_district": None,
        "ship_province": "Thành phố Hồ Chí Minh", "ship_province_code": 79,
        "ship_ward_code": 26740}


def test_a_marketplace_address_is_kept_and_explained_when_it_cannot_be_placed():
    kept, problem = addresses.for_import("5 Láng Hạ", "Phường Thanh Xuân Trung",
                                         "Quận Thanh Xuân", "Hà Nội")
    assert kept["ship_ward"] == "Phường Thanh Xuân Trung" and "ship_ward_code" not in kept
    assert "split in 2025" in problem
    found, none = addresses.for_import("12 Lý Tự Trọng, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
                                       "Phường Bến Nghé", "Quận 1", "TP. Hồ Chí Minh")
    assert none is None and found["ship_street"] == "12 Lý Tự Trọng"  # Shopee repeats the units
    assert found["ship_ward_code"] == 26740


def test_the_attention_note_keeps_other_flags():
    note = addresses.attention("Unknown SKU: X. Add the variant", "No ward.")
    assert note.startswith("Unknown SKU") and "Address: No ward." in note
    assert addresses.attention(note, None) == "Unknown SKU: X. Add the variant"


def test_an_address_reads_as_a_person_writes_it():
    from app.models import Order
    order = Order(ship_street="1 Lê Lợi", ship_ward="Phường Sài Gòn",
                  ship_province="Thành phố Hồ Chí Minh")
    assert order.ship_address == "1 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh"
    assert Order(ship_province="Hà Nội").ship_address == "Hà Nội"
