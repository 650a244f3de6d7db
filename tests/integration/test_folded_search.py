"""Search without accents on SQLite and PostgreSQL: what a clerk or a shopper types without
diacritics finds the product, its variants (by colour and size too), its aliases and customers;
the folded column follows every change; on PostgreSQL a typo still finds the product, through the
trigram index."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.models import Customer, Product, ProductVariant, Warehouse
from app.services.catalog import search
from app.services.catalog.importing import Upload, import_catalogue

CATALOGUE = """product_sku,product_name,attribute1_name,attribute1_value,variant_sku,selling_price,aliases
BINH-500,Bình giữ nhiệt inox 500ml,Màu,Trắng,BINH-500-TRANG,199000,bình nước giữ nhiệt; thermos
BINH-500,Bình giữ nhiệt inox 500ml,Màu,Hồng,BINH-500-HONG,199000,
QUAN-JEAN,Quần jean ống đứng xanh,Size,30,QUAN-JEAN-30,399000,quần bò
QUAN-JEAN,Quần jean ống đứng xanh,Size,31,QUAN-JEAN-31,399000,
AO-BASIC,Áo thun basic cổ tròn,Màu,Trắng,AO-BASIC-TRANG,149000,áo phông
AO-BASIC,Áo thun basic cổ tròn,Màu,Đen,AO-BASIC-DEN,149000,
TUI-TOTE,Túi tote vải canvas,Màu,Đen,TUI-TOTE-DEN,129000,
"""


@pytest.fixture
def shop(session):
    session.add(Warehouse(code="HCM", name="HCM"))
    import_catalogue(session, Upload("c.csv", CATALOGUE.encode()))
    session.add_all([Customer(name="Nguyễn Thị Đào", phone="0912345678"),
                     Customer(name="Trần Văn Bình", phone="0987654321", company_name="Công ty Sao Mai")])
    session.commit()
    return session


def products(session, text):
    match = search.find_products(session, text)
    return sorted(session.scalars(sa.select(Product.sku).where(match.condition)))


def variants(session, text):
    match = search.find_variants(session, text)
    return sorted(session.scalars(sa.select(ProductVariant.sku).where(match.condition)))


def customers(session, text):
    match = search.find_customers(session, text)
    return sorted(session.scalars(sa.select(Customer.name).where(match.condition)))


def test_words_without_accents_find_products_and_variants(shop):
    assert products(shop, "binh giu") == ["BINH-500"]
    assert products(shop, "quan jean xanh") == ["QUAN-JEAN"]
    assert products(shop, "ao thun trang") == ["AO-BASIC"]          # "trắng" is a variant's colour
    assert variants(shop, "ao thun trang") == ["AO-BASIC-TRANG"]
    assert variants(shop, "Bình Giữ Nhiệt hồng") == ["BINH-500-HONG"]  # with accents, any case
    assert variants(shop, "quan jean 31") == ["QUAN-JEAN-31"]
    assert products(shop, "ao") == ["AO-BASIC"]                      # a word's start, not "tao"
    assert products(shop, "quan bo") == ["QUAN-JEAN"]                # an alias
    assert products(shop, "thermos") == ["BINH-500"]
    assert variants(shop, "binh-500-trang") == ["BINH-500-TRANG"]    # a SKU as typed
    assert search.find_products(shop, " - ") is None  # nothing searchable typed


def test_customers_are_found_by_name_without_accents_and_by_company(shop):
    assert customers(shop, "nguyen thi dao") == ["Nguyễn Thị Đào"]  # đ → d
    assert customers(shop, "DAO") == ["Nguyễn Thị Đào"]
    assert customers(shop, "sao mai") == ["Trần Văn Bình"]
    assert customers(shop, "0987") == ["Trần Văn Bình"]


def test_the_folded_text_follows_every_change(shop):
    product = shop.scalars(sa.select(Product).where(Product.sku == "TUI-TOTE")).one()
    product.name = "Túi vải đeo vai"
    product.aliases = "túi đi chợ"
    shop.commit()
    assert products(shop, "canvas") == []                             # the old name is gone
    assert variants(shop, "tui di cho") == ["TUI-TOTE-DEN"]          # the variant followed
    variant = shop.scalars(sa.select(ProductVariant).where(ProductVariant.sku == "TUI-TOTE-DEN")).one()
    variant.value_1 = "Nâu"
    shop.commit()
    assert variants(shop, "tui vai nau") == ["TUI-TOTE-DEN"]
    customer = shop.scalars(sa.select(Customer).where(Customer.phone == "0912345678")).one()
    customer.name = "Lê Thị Đào"
    shop.commit()
    assert customers(shop, "le thi dao") == ["Lê Thị Đào"]


@pytest.mark.sqlite
def test_sqlite_needs_the_words_right(shop):   # PostgreSQL forgives typos (next test)
    assert shop.get_bind().dialect.name == "sqlite"
    assert products(shop, "bihn giu nhiet") == []


@pytest.mark.postgres
def test_on_postgresql_a_typo_still_finds_the_product(shop):
    assert products(shop, "bihn giu nhiet") == ["BINH-500"]
    assert products(shop, "quan jaen ong dung") == ["QUAN-JEAN"]
    close = variants(shop, "binh giu nhiet hongg")
    assert "BINH-500-HONG" in close and all(sku.startswith("BINH-500") for sku in close)
    assert search.find_variants(shop, "bihn giu nhiet").fuzzy  # closest first, not by SKU
    # Without a typo, close matches do not crowd in: "ao thun trang" is the white one only.
    assert variants(shop, "ao thun trang") == ["AO-BASIC-TRANG"]


@pytest.mark.postgres
def test_on_postgresql_the_search_uses_the_trigram_index(shop):
    shop.execute(sa.text("SET LOCAL enable_seqscan = off"))
    query = sa.select(ProductVariant.id).where(search.find_variants(shop, "giu nhiet").condition)
    compiled = query.compile(dialect=shop.get_bind().dialect)
    plan = "\n".join(shop.connection().exec_driver_sql("EXPLAIN " + str(compiled),
                                                       compiled.params).scalars())
    assert "ix_product_variant_search_trgm" in plan, plan


def test_a_whole_sku_typed_comes_first_among_the_variants_its_words_find(shop):
    from app.services.customer_lookup import search_variants
    import_catalogue(shop, Upload("somi.csv", (
        "product_sku,product_name,attribute1_name,attribute1_value,variant_sku,selling_price\n"
        "SOMI,Sơ mi trắng,Size,M,SOMI-M,250000\nSOMI,Sơ mi trắng,Size,S,SOMI-S,250000\n").encode()))
    shop.commit()
    warehouse = shop.scalar(sa.select(Warehouse.id))
    # "SOMI-S" folds to "somi s", and "s" starts "somi": both sizes answer; the typed one leads.
    assert [h.sku for h in search_variants(shop, "SOMI-S", warehouse)] == ["SOMI-S", "SOMI-M"]
    assert [h.sku for h in search_variants(shop, "somi-m", warehouse)][0] == "SOMI-M"
