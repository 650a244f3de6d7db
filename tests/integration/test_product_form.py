"""The product form: its variant matrix (attributes named, every combination a variant with its SKU,
price, weight, opening stock per warehouse, posted once), and its images and videos (checked by
content and size, thumbnails, order, served only to those who may read products, the first image
shown in lists, order lines and quick order, and a signed link for shoppers)."""
from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (MoveKind, Order, OrderLine, Product, ProductVariant,
                        StockLevel, StockMove, Warehouse)
from tests.conftest import login

MATRIX = {"attributes": [{"name": "Màu", "values": ["Trắng", "Xanh navy"]},
                         {"name": "Size", "values": ["S", "M"]}],
          "pattern": "{sku}-{1}-{2}",
          "rows": [{"values": ["Trắng", "S"], "sku": "", "weight_g": "250",
                    "opening": {"HCM": "5"}},
                   {"values": ["Trắng", "M"], "sku": "", "weight_g": "260"},
                   {"values": ["Xanh navy", "S"], "sku": "", "selling_price": "169.000"},
                   {"values": ["Xanh navy", "M"], "sku": "POLO-NAVY-M-2026",
                    "length_cm": "30", "width_cm": "25", "height_cm": "4",
                    "opening": {"HCM": "2", "HN": "1"}}]}


def warehouses(app) -> dict:
    with app.app_context():
        rows = [Warehouse(code="HCM", name="Kho HCM"), Warehouse(code="HN", name="Kho HN")]
        db.session.add_all(rows)
        db.session.commit()
        return {w.code: w.id for w in rows}


def with_ids(matrix: dict, ids: dict) -> dict:
    out = json.loads(json.dumps(matrix))
    for row in out["rows"]:
        row["opening"] = {str(ids[code]): q for code, q in row.get("opening", {}).items()}
    return out


def add_product(client, matrix: dict, **fields):
    form = {"sku": "POLO", "name": "Áo polo cá sấu", "vat_rate": "10", "cost_price": "90000",
            "selling_price": "149000", "active": "y", "variant_matrix": json.dumps(matrix)}
    form.update(fields)
    return client.post("/productview/add", data=form)


@pytest.fixture
def polo(web_app):
    """A clerk signed in, the warehouses, and the POLO product saved from MATRIX."""
    ids = warehouses(web_app)
    client = web_app.test_client()
    login(client, "clerk")
    answer = add_product(client, with_ids(MATRIX, ids))
    assert answer.status_code == 302, answer.get_data(as_text=True)[-2000:]
    return client, ids, product(web_app)


def product(app, sku="POLO") -> Product:
    """The product with its variants and media, loaded for reading after the session ends."""
    with app.app_context():
        return db.session.scalars(sa.select(Product).where(Product.sku == sku).options(
            selectinload(Product.variants).joinedload(ProductVariant.product),
            selectinload(Product.media))).one()


def test_the_matrix_creates_every_variant_with_its_sku_price_size_and_opening_stock(web_app, polo):
    client, ids, polo = polo
    assert polo.attribute_names == ["Màu", "Size"]
    got = {v.sku: (v.value_1, v.value_2, int(v.price), v.weight_g,
                   (v.length_cm, v.width_cm, v.height_cm)) for v in polo.variants}
    assert got == {"POLO-TRANG-S": ("Trắng", "S", 149000, 250, (0, 0, 0)),
                   "POLO-TRANG-M": ("Trắng", "M", 149000, 260, (0, 0, 0)),
                   "POLO-XANH-NAVY-S": ("Xanh navy", "S", 169000, 0, (0, 0, 0)),
                   "POLO-NAVY-M-2026": ("Xanh navy", "M", 149000, 0, (30, 25, 4))}
    with web_app.app_context():
        levels = sorted(db.session.execute(
            sa.select(ProductVariant.sku, Warehouse.code, StockLevel.on_hand)
            .join(StockLevel, StockLevel.variant_id == ProductVariant.id)
            .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)).all())
        kinds = set(db.session.scalars(sa.select(StockMove.kind)))
    assert levels == [("POLO-NAVY-M-2026", "HCM", 2), ("POLO-NAVY-M-2026", "HN", 1),
                      ("POLO-TRANG-S", "HCM", 5)]
    assert kinds == {MoveKind.OPENING}
    # The variants list under the product titles its columns with the attributes' names.
    page = client.get(f"/productview/show/{polo.id}").get_data(as_text=True)
    page = page.split("audit-trail", 1)[0]  # the history names the product's own fields
    assert ">Màu<" in page.replace("</a>", "<") and "Attribute 1" not in page


def test_opening_stock_is_posted_once_and_a_second_time_is_refused_naming_the_variant(web_app,
                                                                                       polo):
    client, ids, polo = polo
    edit = client.get(f"/productview/edit/{polo.id}").get_data(as_text=True)
    start = json.loads(edit.split('id="variant_matrix" value="')[1].split('"')[0]
                       .replace("&#34;", '"').replace("&amp;", "&"))
    white_s = next(r for r in start["rows"] if r["sku"] == "POLO-TRANG-S")
    assert white_s["stocked"] == {str(ids["HCM"]): 5}
    white_s["opening"] = {str(ids["HCM"]): "7"}
    answer = client.post(f"/productview/edit/{polo.id}", data={
        "sku": "POLO", "name": "Áo polo đổi tên", "vat_rate": "10", "cost_price": "90000",
        "selling_price": "149000", "active": "y", "version_seen": str(polo.version),
        "variant_matrix": json.dumps(start)})
    assert answer.status_code == 200
    assert "POLO-TRANG-S already has stock moves in HCM" in answer.get_data(as_text=True)
    assert product(web_app).name == "Áo polo cá sấu"  # nothing of that save was kept
    white_s["opening"] = {}
    next(r for r in start["rows"] if r["sku"] == "POLO-TRANG-M")["opening"] = {str(ids["HN"]): "3"}
    answer = client.post(f"/productview/edit/{polo.id}", data={
        "sku": "POLO", "name": "Áo polo đổi tên", "vat_rate": "10", "cost_price": "90000",
        "selling_price": "149000", "active": "y", "version_seen": str(polo.version),
        "variant_matrix": json.dumps(start)})
    assert answer.status_code == 302
    with web_app.app_context():
        assert db.session.scalar(sa.select(sa.func.sum(StockLevel.on_hand))) == 11
    assert product(web_app).name == "Áo polo đổi tên"


def test_a_product_without_attributes_gets_one_variant_with_its_sku(web_app):
    client = web_app.test_client()
    login(client, "clerk")
    assert add_product(client, {}, sku="MU-1", name="Mũ lưỡi trai").status_code == 302
    assert [v.sku for v in product(web_app, "MU-1").variants] == ["MU-1"]


def test_a_matrix_with_a_sku_of_another_product_is_refused_and_nothing_is_saved(web_app, polo):
    client, _, _ = polo
    clash = {"attributes": [{"name": "Size", "values": ["S"]}],
             "rows": [{"values": ["S"], "sku": "POLO-TRANG-S"}]}
    answer = add_product(client, clash, sku="POLO2", name="Áo khác")
    assert "The SKU POLO-TRANG-S is already a variant of product POLO." in answer.get_data(as_text=True)
    with web_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Product.id))) == 1


def png(size=(600, 400), colour=(200, 30, 30), noise=False) -> bytes:
    image = Image.effect_noise(size, 90).convert("RGB") if noise else Image.new("RGB", size, colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 2000


def upload(client, product_id, *files):
    return client.post(f"/productmediaview/upload/{product_id}", content_type="multipart/form-data",
                       data={"files": [(io.BytesIO(data), name) for name, data in files]})


def test_media_are_checked_by_content_stored_ordered_and_served_with_permission(web_app, polo):
    client, _, polo = polo
    web_app.config["MEDIA_MAX_IMAGE_MB"] = 1
    answer = upload(client, polo.id, ("red.png", png()), ("clip.mp4", MP4),
                    ("fake.jpg", b"GIF? no: just text pretending"),
                    ("huge.png", png((1200, 1200), noise=True)),
                    ("green.png", png(colour=(30, 200, 30))))
    flashed = client.get(f"/productview/show/{polo.id}").get_data(as_text=True)
    assert "fake.jpg is not a JPEG, PNG, GIF or WebP image" in flashed
    assert "huge.png is" in flashed and "at most 1 MB" in flashed
    assert answer.status_code == 302
    media = product(web_app).media
    assert [(m.original_name, m.kind.value, m.content_type, m.position) for m in media] == [
        ("red.png", "image", "image/png", 0), ("clip.mp4", "video", "video/mp4", 1),
        ("green.png", "image", "image/png", 2)]
    red, clip, green = media
    thumb = client.get(f"/productmediaview/thumb/{red.id}")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.data)).size) <= 320
    assert client.get(f"/productmediaview/file/{clip.id}").mimetype == "video/mp4"
    anonymous = web_app.test_client().get(f"/productmediaview/thumb/{red.id}")
    assert anonymous.status_code in (302, 401, 403) and anonymous.mimetype != "image/jpeg"
    listing = client.get("/productview/list/").get_data(as_text=True)
    assert f'src="/productmediaview/thumb/{red.id}" class="oh-thumb"' in listing
    # The green one first: it now stands for the product.
    client.post(f"/productmediaview/move/{green.id}", data={"direction": "up"})
    client.post(f"/productmediaview/move/{green.id}", data={"direction": "up"})
    listing = client.get("/productview/list/").get_data(as_text=True)
    assert f'src="/productmediaview/thumb/{green.id}" class="oh-thumb"' in listing
    stored = web_app.extensions["orderhub_storage"]
    assert stored.exists(red.file) and stored.exists(red.thumbnail)
    client.post(f"/productmediaview/remove/{red.id}")
    assert not stored.exists(red.file) and not stored.exists(red.thumbnail)
    assert [m.original_name for m in product(web_app).media] == ["green.png", "clip.mp4"]


def test_the_cover_image_is_shown_where_the_product_is_and_shared_by_a_signed_link(web_app, polo):
    client, ids, polo = polo
    upload(client, polo.id, ("red.png", png()))
    cover = product(web_app).media[0]
    with web_app.app_context():
        variant = db.session.scalars(sa.select(ProductVariant).where(
            ProductVariant.sku == "POLO-TRANG-S")).one()
        order = Order(buyer_name="Lê Văn An", buyer_phone="0912345678",
                      warehouse_id=ids["HCM"], ship_street="1 Lê Lợi", ship_province="Hà Nội")
        order.lines.append(OrderLine(variant=variant, sku=variant.sku, name="Áo polo", quantity=1,
                                     unit_price=149000, vat_rate="10"))
        db.session.add(order)
        db.session.commit()
        order_id, variant_id = order.id, variant.id
    page = client.get(f"/orderview/show/{order_id}").get_data(as_text=True)
    assert f'src="/productmediaview/thumb/{cover.id}" class="oh-line-thumb"' in page
    hits = client.get(f"/quick-order/variants?q=polo+trang&warehouse_id={ids['HCM']}").json
    assert hits and hits[0]["image"] == f"/productmediaview/thumb/{cover.id}"
    with web_app.test_request_context():
        from app.services.catalog.media import variant_cover_images
        from app.web.media import shared_media_url
        covers = variant_cover_images(db.session, [variant_id])
        link = shared_media_url(covers[variant_id])
    path = link.split("://", 1)[1].split("/", 1)[1]
    stranger = web_app.test_client()
    shared = stranger.get("/" + path)
    assert shared.status_code == 200 and shared.data.startswith(b"\x89PNG")
    assert stranger.get("/" + path[:-3] + "xyz").status_code == 404
