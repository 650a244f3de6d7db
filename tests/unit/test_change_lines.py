"""An audit row's change as a person reads it: a JSON setting one changed value per line, never
Python's writing of a dict or a list."""
from app.web.formatting import change_lines


def test_a_nested_setting_shows_only_what_changed_by_name():
    old = {"sender": {"name": "Kho A", "phone": "0987654321", "district_id": 1455}, "default_service": "fast"}
    new = {"sender": {"name": "Kho A", "phone": "0912345678", "district_id": 1455, "ward_code": "21602"},
           "default_service": "fast"}
    assert change_lines("settings", [old, new]) == [
        ("settings.sender.phone", "0987654321", "0912345678"), ("settings.sender.ward_code", "∅", "21602")]


def test_a_created_setting_and_plain_values():
    assert change_lines("settings", [None, {"print_base_url": "https://x"}]) == [
        ("settings.print_base_url", "∅", "https://x")]
    assert change_lines("name", ["GHN", None]) == [("name", "GHN", "∅")]
    lines = change_lines("vat_breakdown", [None, [{"rate": "10", "tax": 100}]])
    assert lines == [("vat_breakdown", "∅", "rate: 10, tax: 100")]
    assert all("{" not in old + new and "[" not in old + new for _, old, new in lines)
