"""The catalogues are complete: Flask-AppBuilder's strings and every extracted OrderHub string have a
Vietnamese translation with the same placeholders, and English lists them all (source language)."""
import re

import pytest
from babel.messages.catalog import Catalog

from tests.support.catalogues import tool as ct


@pytest.fixture(scope="module")
def vi() -> Catalog:
    return ct.load_catalogue("vi")


@pytest.fixture(scope="module")
def en() -> Catalog:
    return ct.load_catalogue("en")


def test_every_flask_appbuilder_message_has_a_vietnamese_translation(vi):
    fab = ct.fab_msgids()
    assert len(fab) >= 150  # the union of the catalogues FAB ships
    for must in ("List Users", "Record Count", "Logout", "Search", "Add Filter", "Sign In",
                 "Add Group"):  # the last one is in FAB 5's code but in none of its catalogues
        assert must in fab
    untranslated = [m for m in fab if not ct.is_translated(vi.get(m))]
    assert not untranslated, f"FAB messages without Vietnamese: {untranslated}"


def test_every_extracted_message_is_in_both_catalogues(vi, en):
    extracted = ct.extracted_msgids()
    assert "Orders by channel and status" in extracted  # the dashboard template
    no_vi = [m for m in extracted if not ct.is_translated(vi.get(m))]
    no_en = [m for m in extracted if en.get(m) is None]
    hint = "run .venv/bin/python bin/check_translations.py --add, then translate the new vi entries"
    assert not no_vi, f"untranslated in vi ({hint}): {no_vi}"
    assert not no_en, f"missing from en ({hint}): {no_en}"


def test_every_label_title_button_and_state_the_panel_shows_is_translated(vi, en):
    shown = ct.ui_msgids()
    for must in ("Buyer Email", "List", "Order", "delivery failed", "Confirm", "Orders"):
        assert must in shown, must
    no_vi = [m for m in shown if not ct.is_translated(vi.get(m))]
    no_en = [m for m in shown if en.get(m) is None]
    hint = "run .venv/bin/python bin/check_translations.py --add, then translate the new vi entries"
    assert not no_vi, f"untranslated in vi ({hint}): {no_vi}"
    assert not no_en, f"missing from en ({hint}): {no_en}"


def test_vietnamese_entries_are_translated_with_the_same_placeholders(vi):
    bad = [m.id for m in vi if m.id and not ct.is_translated(m)]
    assert not bad, bad
    errors = [(m.id, [str(e) for e in errs]) for m, errs in vi.check()]
    assert not errors, errors
    assert not vi.fuzzy


def test_vietnamese_reads_like_the_back_office(vi):
    expected = {"List": "Danh sách", "Search": "Tìm kiếm", "Add": "Thêm", "Edit": "Sửa",
                "Delete": "Xóa", "Logout": "Đăng xuất", "Record Count": "Số bản ghi",
                "Orders": "Đơn hàng", "Suppliers": "Nhà cung cấp", "Goods receipts": "Phiếu nhập kho",
                "Stock counts": "Kiểm kê", "E-invoices": "Hóa đơn điện tử",
                "COD reconciliation": "Đối soát COD"}
    for msgid, msgstr in expected.items():
        assert vi.get(msgid).string == msgstr
    fixed = vi.get("Cannot %(action)s this %(record)s: it is %(state)s.")
    assert fixed.string % {"action": "x", "record": "y", "state": "z"}
    # Diacritics are real Vietnamese letters, not stripped ASCII.
    assert all(re.search(r"[^\x00-\x7f]", vi.get(m).string)
               for m in ("Customers", "Suppliers", "Stock levels", "Shipments"))


def test_english_is_the_source_language(vi, en):
    ids = {m.id for m in vi if m.id}
    assert {m.id for m in en if m.id} == ids
    assert all(not m.string or m.string == m.id for m in en if m.id)
    assert not en.fuzzy


def test_compiled_catalogues_are_up_to_date(tmp_path):
    ct.compile_catalogues()
    for lang in ct.LANGUAGES:
        mo, po = ct.catalogue_path(lang, "mo"), ct.catalogue_path(lang)
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime
