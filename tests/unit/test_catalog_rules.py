"""Pure rules of the catalogue: numbers as a Vietnamese seller types them, SKUs from a pattern,
file types told by content, storage keys."""
import pytest

from app.integrations.storage import StorageError, check_key
from app.models import MediaKind
from app.services.catalog.matrix import sku_for, value_code
from app.services.catalog.media import sniff
from app.services.catalog.numbers import NotWholeNumber, whole_number
from app.services.catalog.rows import normalize_vat, split_aliases, split_category


@pytest.mark.parametrize("cell, value", [
    ("289000", 289000), ("289.000", 289000), ("289,000", 289000), ("1.289.000", 1289000),
    ("289 000", 289000), ("289.000 ₫", 289000), ("289.000đ", 289000), ("150000 VND", 150000),
    (289000, 289000), (289000.0, 289000), ("0", 0), (" 12 ", 12), ("-5", -5)])
def test_whole_numbers_are_read_as_typed(cell, value):
    assert whole_number(cell) == value


@pytest.mark.parametrize("cell", ["289.5", "28.90", "1,2", "289.000,50", "1.289,000", "abc",
                                  "199k", "", None, 12.5, True, "1e3"])
def test_anything_else_is_not_a_whole_number(cell):
    with pytest.raises(NotWholeNumber):
        whole_number(cell)


def test_vat_rates_as_the_invoice_rules_accept_them():
    assert [normalize_vat(v) for v in ("10", "10%", "8", "kct", "KKKNT", "0", "7", "10.0")] == \
        ["10", "10", "8", "KCT", "KKKNT", "0", None, "10"]


def test_aliases_and_category_paths():
    assert split_aliases(" áo phông ;basic tee; Áo Phông;; ") == ("áo phông", "basic tee")
    assert split_category("Thời trang > Áo") == ("Thời trang", "Áo")
    assert split_category("Thời trang › Áo") == ("Thời trang", "Áo")


def test_skus_from_a_pattern():
    assert value_code("Xanh navy") == "XANH-NAVY" and value_code("Đỏ đô") == "DO-DO"
    assert sku_for("{sku}-{1}-{2}", "POLO", ["Trắng", "2XL"]) == "POLO-TRANG-2XL"
    assert sku_for("{sku}-{1}-{2}-{3}", "POLO", ["Trắng"]) == "POLO-TRANG"
    assert sku_for("{1}/{sku}", "MU", ["Be"]) == "BE/MU"


@pytest.mark.parametrize("head, kind, content_type", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", MediaKind.IMAGE, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", MediaKind.IMAGE, "image/png"),
    (b"GIF89a\x01\x00", MediaKind.IMAGE, "image/gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", MediaKind.IMAGE, "image/webp"),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00", MediaKind.VIDEO, "video/mp4"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00", MediaKind.VIDEO, "video/quicktime"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", MediaKind.VIDEO, "video/webm")])
def test_file_types_are_told_by_their_first_bytes(head, kind, content_type):
    found = sniff(head + b"\x00" * 64)
    assert (found.kind, found.content_type) == (kind, content_type)


@pytest.mark.parametrize("data", [b"<svg xmlns='http://www.w3.org/2000/svg'>", b"%PDF-1.7",
                                  b"MZ\x90\x00", b"just text", b"PK\x03\x04zip"])
def test_other_files_are_not_media(data):
    assert sniff(data) is None


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs/path", "media/../x", "a//b", "", "a b",
                                 "media/1/x.jpg\n"])
def test_storage_keys_made_elsewhere_are_refused(key):
    with pytest.raises(StorageError):
        check_key(key)


def test_storage_keys_we_make_are_accepted():
    assert check_key("media/12/3f9c0a.jpg") == "media/12/3f9c0a.jpg"
    assert check_key("imports/0123456789abcdef0123456789abcdef")
