"""The catalogue import, rule by rule (SPEC §12), on SQLite and PostgreSQL: a seller's file becomes
products, variants, categories, brands and opening stock in one transaction; every bad row is
reported with its line and column and nothing is written; a dry run writes nothing; importing
again changes nothing; a changed price updates its variant; opening stock is posted once."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from app.models import (Brand, Category, MoveKind, Product, ProductVariant, StockLevel,
                        StockMove, Warehouse)
from app.services.catalog import exporting
from app.services.catalog.columns import COLUMNS
from app.services.catalog.importing import CatalogueRejected, Upload, import_catalogue
from app.services.stock_verify import verify_stock
from tests.assistant.shop import CSV_PATH

DEVSET = CSV_PATH.read_bytes()


def row(**cells) -> dict:
    base = {"product_sku": "AO", "product_name": "Áo thun cotton", "category": "Thời trang > Áo",
            "brand": "Mộc Studio", "vat_rate": "10", "attribute1_name": "Màu",
            "attribute1_value": "Trắng", "attribute2_name": "Size", "attribute2_value": "M",
            "variant_sku": "AO-TRANG-M", "cost_price": "90000", "selling_price": "149000",
            "weight_g": "200", "warehouse_code": "HCM", "opening_stock": "5"}
    base.update(cells)
    return base


def csv_file(rows: list[dict], columns=COLUMNS, bom: bool = False) -> Upload:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return Upload("catalogue.csv", (("\ufeff" if bom else "") + out.getvalue()).encode())


def xlsx_file(rows: list[list], header=COLUMNS) -> Upload:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return Upload("catalogue.xlsx", out.getvalue())


def counts(session) -> dict:
    return {name: session.scalar(sa.select(sa.func.count()).select_from(model))
            for name, model in (("products", Product), ("variants", ProductVariant),
                                ("categories", Category), ("brands", Brand),
                                ("moves", StockMove))}


@pytest.fixture
def shop(session):
    session.add_all([Warehouse(code="HCM", name="Kho HCM"), Warehouse(code="HN", name="Kho HN"),
                     Warehouse(code="WH-HCM", name="Kho tổng HCM")])
    session.commit()
    return session


def load(session, upload, **kw):
    report = import_catalogue(session, upload, **kw)
    session.commit()
    return report


def test_the_assistants_catalogue_imports_with_its_stock_and_again_changes_nothing(shop):
    report = load(shop, Upload("catalogue.csv", DEVSET))
    assert report.created == {"products": 56, "variants": 410, "categories": 33, "brands": 11,
                              "opening_moves": 359}
    basic = shop.scalars(sa.select(Product).where(Product.sku == "AT-BASIC")).one()
    assert (basic.name, basic.category.name, basic.brand.name, basic.attribute_names) == \
        ("Áo thun basic cổ tròn", "Áo thun", "Mộc Studio", ["Màu", "Size"])
    assert basic.alias_list == ["áo phông basic", "áo thun trơn", "basic tee"]
    white_m = shop.scalars(sa.select(ProductVariant).where(ProductVariant.sku == "AT-BASIC-TRANG-M")).one()
    assert (white_m.value_1, white_m.value_2, int(white_m.price), int(white_m.cost)) == \
        ("Trắng", "M", 199000, 109000)
    level = shop.scalars(sa.select(StockLevel).where(StockLevel.variant_id == white_m.id)).one()
    assert (level.warehouse.code, level.on_hand) == ("WH-HCM", 13)
    assert verify_stock(shop) == []

    again = load(shop, Upload("catalogue.csv", DEVSET))
    assert again.changes == 0
    assert again.unchanged == {"products": 56, "variants": 410}
    assert again.opening_skipped == 359
    assert shop.scalar(sa.select(sa.func.count(StockMove.id))) == 359


def test_a_dry_run_reports_what_would_change_and_writes_nothing(shop):
    before = counts(shop)
    report = import_catalogue(shop, Upload("catalogue.csv", DEVSET), dry_run=True)
    shop.commit()  # even a commit after it finds nothing to write
    assert counts(shop) == before
    assert report.dry_run and report.created["products"] == 56
    assert report.created["opening_moves"] == 359
    assert len(report.details["products_created"]) == 56


def test_every_bad_row_is_reported_with_its_line_and_column_and_nothing_is_written(shop):
    shop.add(Product(sku="OTHER", name="Sản phẩm khác",
                     variants=[ProductVariant(sku="TAKEN-1")]))
    shop.add_all([Category(name="Áo"), Category(name="Phụ kiện"),
                  Category(name="Áo", parent=Category(name="Trẻ em"))])
    shop.commit()
    before = counts(shop)
    rows = [
        row(),                                                             # 2 good
        row(variant_sku="AO-DEN-M", attribute1_value="Đen", selling_price="149.5"),  # 3
        row(variant_sku="AO-XAM-M", attribute1_value="Xám", cost_price="-5"),        # 4
        row(variant_sku="AO-BE-M", attribute1_value="Be", weight_g="nặng"),          # 5
        row(variant_sku="", attribute1_value="Hồng"),                               # 6
        row(variant_sku="AO-TRANG-M"),                                              # 7 twice
        row(variant_sku="AO-TRANG-M2"),                                             # 8 same values
        row(variant_sku="AO-NAU-M", attribute1_value="Nâu", product_name="Áo khác"),  # 9
        row(product_sku="B", product_name="Bình", category="Gia dụng", variant_sku="B-1",
            attribute1_name="", attribute1_value="", attribute2_name="", attribute2_value="",
            vat_rate="7"),                                                          # 10
        row(product_sku="C", product_name="", variant_sku="C-1", category="Phụ kiện"),  # 11
        row(product_sku="D", product_name="Dép", variant_sku="D-1", category="Phụ kiện",
            attribute1_name="", attribute1_value="Đỏ", attribute2_name="Size",
            attribute2_value=""),                                                   # 12
        row(product_sku="E", product_name="Ví", variant_sku="TAKEN-1",
            category="Phụ kiện"),                                                   # 13
        row(product_sku="F", product_name="Mũ", variant_sku="F-1", category="Phụ kiện",
            warehouse_code="KHO-LA"),                                               # 14
        row(product_sku="G", product_name="Khăn", variant_sku="G-1", category="Phụ kiện",
            warehouse_code="", opening_stock="3"),                                  # 15
        row(product_sku="H", product_name="Túi", variant_sku="H-1", category="Áo"),  # 16
        row(product_sku="I" * 65, product_name="Quá dài", variant_sku="I-1",
            category="Phụ kiện", selling_price=""),                                 # 17
    ]
    with pytest.raises(CatalogueRejected) as refused:
        import_catalogue(shop, csv_file(rows))
    shop.rollback()
    found = {(p.line, p.column) for p in refused.value.problems}
    assert found == {
        (3, "selling_price"), (4, "cost_price"), (5, "weight_g"), (6, "variant_sku"),
        (7, "variant_sku"), (8, "attribute1_value"), (9, "product_name"), (10, "vat_rate"),
        (11, "product_name"), (12, "attribute1_name"), (12, "attribute2_value"),
        (13, "variant_sku"), (14, "warehouse_code"), (15, "warehouse_code"), (16, "category"),
        (17, "product_sku"), (17, "selling_price")}
    messages = {(p.line, p.column): str(p.message) for p in refused.value.problems}
    assert messages[(3, "selling_price")] == '"149.5" is not a whole number (write 289000 or 289.000).'
    assert messages[(7, "variant_sku")].startswith("AO-TRANG-M is already on line 2")
    assert messages[(10, "vat_rate")] == '"7" is not a VAT rate: write 0, 5, 8, 10, KCT or KKKNT.'
    assert messages[(13, "variant_sku")] == "TAKEN-1 is already a variant of product OTHER."
    assert messages[(14, "warehouse_code")] == 'No warehouse has the code "KHO-LA".'
    assert messages[(16, "category")].startswith('2 categories are named "Áo"')
    assert "Nothing was changed" in refused.value.message
    assert counts(shop) == before


@pytest.mark.parametrize("content, line, words", [
    (b"", 1, "empty"),
    (b"product_sku,product_name,variant_sku,selling_price,colour\nA,B,C,1\n", 1, "Unknown column"),
    (b"product_sku,product_name,selling_price\nA,B,1\n", 1, "variant_sku"),
    (b"product_sku,product_name,variant_sku,selling_price\nA,B,C,1\nA,\xe1o,D,2\n", 3, "UTF-8"),
])
def test_a_file_that_is_not_a_catalogue_table_says_why(shop, content, line, words):
    with pytest.raises(CatalogueRejected) as refused:
        import_catalogue(shop, Upload("catalogue.csv", content))
    assert refused.value.problems[0].line == line
    assert words in str(refused.value.problems[0].message)


def test_an_old_excel_file_is_refused_with_what_to_do(shop):
    with pytest.raises(CatalogueRejected) as refused:
        import_catalogue(shop, Upload("catalogue.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 600))
    assert ".xlsx" in str(refused.value.problems[0].message)


def test_a_changed_price_updates_the_variant_and_nothing_else(shop):
    rows = [row(), row(variant_sku="AO-DEN-M", attribute1_value="Đen")]
    load(shop, csv_file(rows))
    rows[1]["selling_price"] = "159.000"  # typed the Vietnamese way
    report = load(shop, csv_file(rows))
    assert report.updated == {"products": 0, "variants": 1}
    assert report.details["variants_updated"] == [{"sku": "AO-DEN-M", "fields": ["selling_price"]}]
    prices = dict(shop.execute(sa.select(ProductVariant.sku, ProductVariant.selling_price)).all())
    black = shop.scalars(sa.select(ProductVariant).where(ProductVariant.sku == "AO-DEN-M")).one()
    assert int(black.price) == 159000 and prices["AO-TRANG-M"] is None  # the product's 149 000
    assert load(shop, csv_file(rows)).changes == 0


def test_opening_stock_is_posted_once_and_a_new_variant_still_gets_its_own(shop):
    load(shop, csv_file([row(opening_stock="5")]))
    report = load(shop, csv_file([row(opening_stock="9"),
                                  row(variant_sku="AO-DEN-M", attribute1_value="Đen",
                                      opening_stock="4")]))
    assert report.opening_skipped == 1 and report.created["opening_moves"] == 1
    levels = dict(shop.execute(sa.select(ProductVariant.sku, StockLevel.on_hand)
                               .join(StockLevel, StockLevel.variant_id == ProductVariant.id)).all())
    assert levels == {"AO-TRANG-M": 5, "AO-DEN-M": 4}
    moves = shop.scalars(sa.select(StockMove).order_by(StockMove.id)).all()
    assert [(m.kind, m.quantity, m.balance_after) for m in moves] == \
        [(MoveKind.OPENING, 5, 5), (MoveKind.OPENING, 4, 4)]
    assert verify_stock(shop) == []


def test_a_variant_may_come_again_for_another_warehouses_opening_stock(shop):
    load(shop, csv_file([row(opening_stock="5"), row(warehouse_code="HN", opening_stock="2")]))
    levels = sorted(shop.execute(sa.select(Warehouse.code, StockLevel.on_hand)
                                 .join(StockLevel, StockLevel.warehouse_id == Warehouse.id)).all())
    assert levels == [("HCM", 5), ("HN", 2)]


def test_categories_and_brands_are_created_by_name_and_found_again(shop):
    shop.add(Brand(name="Mộc Studio"))
    shop.commit()
    report = load(shop, csv_file([row(brand="mộc studio"),
                                  row(product_sku="K", product_name="Khăn", variant_sku="K-1",
                                      category="Thời trang > Phụ kiện", brand="Hà Thành")]))
    assert report.created["brands"] == 1 and report.created["categories"] == 3
    paths = sorted(c.path for c in shop.scalars(sa.select(Category)))
    assert paths == ["Thời trang", "Thời trang › Phụ kiện", "Thời trang › Áo"]
    assert sorted(b.name for b in shop.scalars(sa.select(Brand))) == ["Hà Thành", "Mộc Studio"]
    again = load(shop, csv_file([row(category="Áo")]))  # a name alone finds it under its parent
    assert again.changes == 0


def test_xlsx_and_csv_with_a_bom_and_grouped_numbers_read_the_same(shop):
    header = ["product_sku", "product_name", "attribute1_name", "attribute1_value", "variant_sku",
              "cost_price", "selling_price", "barcode", "warehouse_code", "opening_stock"]
    load(shop, xlsx_file([["BINH", "Bình giữ nhiệt", "Màu", "Trắng", "BINH-TRANG", "120.000",
                           199000, 8930000000017, "HCM", 12.0],
                          ["BINH", None, "Màu", "Hồng", "BINH-HONG", 120000, "199,000", None,
                           "HCM", 3]], header=header))
    white = shop.scalars(sa.select(ProductVariant).where(ProductVariant.sku == "BINH-TRANG")).one()
    assert (int(white.price), int(white.cost), white.barcode) == (199000, 120000, "8930000000017")
    same = csv_file([{"product_sku": "BINH", "product_name": "Bình giữ nhiệt",
                      "attribute1_name": "Màu", "attribute1_value": "Trắng",
                      "variant_sku": "BINH-TRANG", "cost_price": "120000",
                      "selling_price": "199.000 ₫", "barcode": "8930000000017",
                      "warehouse_code": "HCM", "opening_stock": "12"}], columns=header, bom=True)
    assert load(shop, same).changes == 0


def test_an_export_imports_back_changing_nothing(shop):
    load(shop, Upload("catalogue.csv", DEVSET))
    load(shop, csv_file([row(warehouse_code="HN", opening_stock="2"), row(opening_stock="3")]))
    rows = exporting.catalogue_rows(shop)
    for upload in (Upload("c.csv", exporting.to_csv(rows)), Upload("c.xlsx", exporting.to_xlsx(rows))):
        report = import_catalogue(shop, upload, dry_run=True)
        assert report.changes == 0, report.details
        assert report.unchanged == {"products": 57, "variants": 411}


def test_the_template_is_a_file_the_import_takes(shop):
    report = load(shop, Upload("t.csv", exporting.to_csv(exporting.template_rows())))
    assert report.created["variants"] == 1 and report.created["opening_moves"] == 1
