"""In a real browser, once in English and once in Vietnamese: a supervisor imports a spreadsheet
(the bad file's rows are listed with line, column and rule; the good one is checked, then
confirmed) and finds the goods by typing without accents; a clerk builds a product's variants
from a matrix of colours and sizes, with opening stock, and sees the attributes' names as the
variant list's column titles."""
from __future__ import annotations

import sqlalchemy as sa

from tests.e2e.conftest import shot
from tests.e2e.steps import flashes, submit

HEADER = ("product_sku,product_name,category,brand,vat_rate,attribute1_name,attribute1_value,"
          "variant_sku,cost_price,selling_price,weight_g,warehouse_code,opening_stock,aliases")
GOOD = "\n".join([
    HEADER,
    "BGN-1L,Bình giữ nhiệt inox 1 lít,Gia dụng > Bình,HanaHome,10,Màu,Trắng,BGN-1L-TRANG,150000,289.000,450,HCM,12,bình nước giữ nhiệt",
    "BGN-1L,Bình giữ nhiệt inox 1 lít,Gia dụng > Bình,HanaHome,10,Màu,Đen,BGN-1L-DEN,150000,289.000,450,HCM,7,",
    "QJ-SUONG,Quần jean suông xanh nhạt,Thời trang > Quần,Denim Lab,10,Size,29,QJ-SUONG-29,220000,429000,550,HCM,4,quần bò suông",
])
BAD = GOOD.replace("289.000,450,HCM,7", "289.000,450,HCM,bảy").replace(",10,Size,29,", ",9,Size,29,")


def watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def upload(page, path) -> None:
    page.set_input_files("#catalogue-file", str(path))
    submit(page, "#check-file")


def test_a_supervisor_imports_a_spreadsheet_and_finds_the_goods_without_accents(page_for, site, t,
                                                                                 tmp_path):
    app, _ = site
    page = page_for("supervisor", t.locale)
    errors = watch_console(page)
    page.goto("/productview/list/")
    page.click("#import-catalogue")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("h2").strip() == t("Import the catalogue")

    bad = tmp_path / "hang-moi-loi.csv"
    bad.write_text(BAD, encoding="utf-8")
    upload(page, bad)
    rows = page.locator("tr.oh-import-error")
    assert [(r.get_attribute("data-line"), r.get_attribute("data-column")) for r in rows.all()] == \
        [("3", "opening_stock"), ("4", "vat_rate")]
    assert t('"%(value)s" is not a whole number (write 289000 or 289.000).', value="bảy") in \
        rows.first.inner_text()
    assert t("The file was not imported: %(lines)s line(s) have errors. Nothing was changed.",
             lines=2) in page.inner_text(".oh-import-refused")
    shot(page, f"catalog-import-errors-{t.locale}")

    good = tmp_path / "hang-moi.csv"
    good.write_text("\ufeff" + GOOD, encoding="utf-8")
    upload(page, good)
    report = page.locator(".oh-import-report")
    assert report.get_attribute("data-dry-run") == "true"
    assert page.inner_text("tr[data-kind=variants] .oh-created") == "3"
    assert page.inner_text("tr[data-kind=opening_moves] .oh-created") == "3"
    shot(page, f"catalog-import-dry-run-{t.locale}")
    with app.app_context():
        from app.extensions import db
        from app.models import ProductVariant
        assert db.session.scalar(sa.select(sa.func.count(ProductVariant.id))
                                 .where(ProductVariant.sku.like("BGN-1L%"))) == 0
    submit(page, "#confirm-import")
    assert page.locator(".oh-import-report").get_attribute("data-dry-run") == "false", flashes(page)
    assert t("The catalogue file was imported.") in flashes(page)
    shot(page, f"catalog-import-done-{t.locale}")

    upload(page, good)  # the same file again: nothing to change
    assert page.locator(".oh-import-nothing").count() == 1
    assert page.locator("#confirm-import").is_disabled()

    page.goto("/productview/list/")
    page.fill("#quick-search", "binh giu nhiet")
    submit(page, ".oh-quick-search button[type=submit]")
    listed = page.locator("table.table-hover").last.inner_text()
    assert "Bình giữ nhiệt inox 1 lít" in listed and "Quần jean suông" not in listed
    page.goto("/productvariantview/list/")
    page.fill("#quick-search", "quan bo suong")  # an alias, without accents
    submit(page, ".oh-quick-search button[type=submit]")
    assert "QJ-SUONG-29" in page.locator("table.table-hover").last.inner_text()
    shot(page, f"catalog-search-{t.locale}")
    assert errors == []


def test_a_clerk_builds_variants_from_a_matrix_with_opening_stock(page_for, site, t):
    app, _ = site
    page = page_for("clerk", t.locale)
    errors = watch_console(page)
    page.goto("/productview/add")
    page.fill("#sku", "POLO-E2E")
    page.fill("#name", "Áo polo cá sấu E2E")
    page.select_option("#vat_rate", "10")
    page.fill("#cost_price", "120000")
    page.fill("#selling_price", "259000")
    matrix = page.locator("#variant-matrix")
    matrix.locator(".oh-attr-add").click()
    matrix.locator(".oh-attr-name").nth(0).fill("Màu")
    matrix.locator(".oh-attr-values").nth(0).fill("Trắng, Xanh navy")
    matrix.locator(".oh-attr-add").click()
    matrix.locator(".oh-attr-name").nth(1).fill("Size")
    matrix.locator(".oh-attr-values").nth(1).fill("S, M")
    matrix.locator(".oh-default[data-key=weight_g]").fill("280")
    matrix.locator(".oh-generate").click()
    rows = matrix.locator("tr.oh-matrix-row")
    assert rows.count() == 4
    skus = [r.locator("input[data-field=sku]").input_value() for r in rows.all()]
    assert skus == ["POLO-E2E-TRANG-S", "POLO-E2E-TRANG-M", "POLO-E2E-XANH-NAVY-S",
                    "POLO-E2E-XANH-NAVY-M"]
    assert [h.inner_text() for h in matrix.locator("th.oh-attr-title").all()] == ["Màu", "Size"]
    rows.nth(3).locator("input[data-field=sku]").fill("POLO-E2E-NAVY-M")
    rows.nth(2).locator("input[data-field=selling_price]").fill("279.000")
    rows.nth(0).locator("input.oh-opening[data-warehouse=HCM]").fill("6")
    rows.nth(3).locator("input.oh-opening[data-warehouse=HN]").fill("2")
    shot(page, f"variant-matrix-{t.locale}")
    submit(page, "form#model_form button[type=submit], form#model_form input[type=submit]")
    assert "/productview/show/" in page.url, flashes(page)  # the new product's own page

    with app.app_context():
        from app.extensions import db
        from app.models import Product, StockLevel, Warehouse
        polo = db.session.scalars(sa.select(Product).where(Product.sku == "POLO-E2E")).one()
        got = {v.sku: (v.value_1, v.value_2, int(v.price), v.weight_g) for v in polo.variants}
        stock = sorted((lvl.variant.sku, lvl.warehouse.code, lvl.on_hand) for lvl in db.session.scalars(
            sa.select(StockLevel).join(Warehouse).where(
                StockLevel.variant_id.in_([v.id for v in polo.variants]))))
        polo_id = polo.id
    assert got == {"POLO-E2E-TRANG-S": ("Trắng", "S", 259000, 280),
                   "POLO-E2E-TRANG-M": ("Trắng", "M", 259000, 280),
                   "POLO-E2E-XANH-NAVY-S": ("Xanh navy", "S", 279000, 280),
                   "POLO-E2E-NAVY-M": ("Xanh navy", "M", 259000, 280)}
    assert stock == [("POLO-E2E-NAVY-M", "HN", 2), ("POLO-E2E-TRANG-S", "HCM", 6)]

    page.goto(f"/productview/show/{polo_id}")
    page.wait_for_load_state("networkidle")
    titles = page.locator("#ProductVariantView th, table th").all_inner_texts()
    assert "Màu" in [x.strip() for x in titles] and "Size" in [x.strip() for x in titles]
    shot(page, f"variant-matrix-saved-{t.locale}")
    # Opening stock is posted once: the edit form shows the stocked warehouse, not a box.
    page.goto(f"/productview/edit/{polo_id}")
    first = page.locator("tr.oh-matrix-row[data-sku='POLO-E2E-TRANG-S']")
    assert first.locator(".oh-stocked").count() == 1
    assert first.locator("input.oh-opening[data-warehouse=HCM]").count() == 0
    assert errors == []
