"""Vietnamese folding: the one search form shared by the catalogue search and the assistant."""
from __future__ import annotations

import unicodedata

import pytest

from app.services.search_text import fold, has_marks, tokens, unaccent


@pytest.mark.parametrize("text, folded", [
    ("Bình giữ nhiệt", "binh giu nhiet"),
    ("ÁO THUN TRẮNG", "ao thun trang"),
    ("Đầm dạ hội đuôi cá", "dam da hoi duoi ca"),
    ("quần jean (xanh) - size 29!", "quan jean xanh size 29"),
    ("  Nguyễn   Thị\tÁnh\nTuyết ", "nguyen thi anh tuyet"),
    ("Thuỷ / Thủy, hoà/hòa", "thuy thuy hoa hoa"),
    ("Lock&Lock_500ml", "lock lock 500ml"),
    ("", ""),
    (None, ""),
])
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_of_decomposed_text_is_the_same():
    composed = "Đồng hồ nữ thời trang"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed and fold(decomposed) == fold(composed) == "dong ho nu thoi trang"


def test_fold_is_idempotent():
    text = "Áo sơ mi Oxford – tay dài, size XL"
    assert fold(fold(text)) == fold(text)


def test_unaccent_keeps_punctuation_and_spacing():
    assert unaccent("Cao 1m65, nặng 52kg; SĐT 0912.345.678") == "cao 1m65, nang 52kg; sdt 0912.345.678"
    assert len(unaccent("Trần Hưng Đạo")) == len("Trần Hưng Đạo")


def test_tokens_and_marks():
    assert tokens("Chảo chống dính 26cm") == ["chao", "chong", "dinh", "26cm"]
    assert has_marks("áo") and has_marks("đi") and not has_marks("ao thun trang")
