"""The demo shop: warehouses, catalogue, stock, customers, suppliers, channels and orders in every
state — every stock figure and every order state reached through the services, as a real shop's
would be. Loaded once: a second run finds the warehouses and changes nothing."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import sqlalchemy as sa

from app.models import (Channel, Customer, Platform, Product, Supplier, Warehouse,
                        WarehouseKind)
from app.models.base import utcnow
from app.sandbox.catalogue import random_buyer
from app import demo_channels, demo_invoicing, demo_shipping
from app.services import orders
from app.services.catalog.importing import Upload, import_catalogue
from app.services.order_entry import create_manual_order
from app.services.tax_code import complete_tax_code

SEED = 20261122
# The demo shop's catalogue in the import format: the sandboxes' fixed goods (app.sandbox.catalogue)
# and more, with categories, brands, aliases and opening stock in HCM, HN and DN.
CATALOGUE_FILE = Path(__file__).with_name("demo_catalogue.csv")
BUSINESSES = [("Công ty TNHH Thời Trang Sài Gòn Xanh", "031456789"),
              ("Công ty Cổ phần Bán lẻ Phương Nam", "030987654"),
              ("Công ty TNHH Quà Tặng Doanh Nghiệp Hà Nội", "010765432"),
              ("Công ty TNHH Dịch vụ Văn phòng Đà Nẵng", "040123456"),
              ("Hộ kinh doanh Tạp hóa Minh Tâm", "031234567"),
              ("Công ty TNHH Sự kiện Ánh Dương", "010234567")]
SUPPLIERS = [("Xưởng may Tân Bình", "031111222"), ("Công ty TNHH Giày Dép Bình Tân", "031222333"),
             ("Công ty CP Gia Dụng Việt", "010333444"), ("Cà phê Cao Nguyên Xanh", "600444555")]


def _valid_tax_code(prefix: str) -> str:
    """A valid code near ``prefix`` (some 9-digit prefixes have no valid check digit)."""
    n = int(prefix)
    while True:
        try:
            return complete_tax_code(f"{n:09d}")
        except Exception:
            n += 1


def _warehouses(session):
    whs = [Warehouse(code="HCM", name="Kho chính Hồ Chí Minh", kind=WarehouseKind.MAIN,
                     address="120 Cộng Hòa, Phường 4, Quận Tân Bình, TP. Hồ Chí Minh",
                     person_in_charge="Nguyễn Văn Kho", phone="0283812345",
                     province="TP. Hồ Chí Minh", district="Quận Tân Bình", ward="Phường 4"),
           Warehouse(code="HN", name="Kho phụ Hà Nội", kind=WarehouseKind.SUBSIDIARY,
                     address="88 Láng Hạ, Phường Láng Hạ, Quận Đống Đa, Hà Nội",
                     person_in_charge="Trần Thị Thu", phone="0243856789", province="Hà Nội",
                     district="Quận Đống Đa", ward="Phường Láng Hạ"),
           Warehouse(code="DN", name="Chi nhánh Đà Nẵng", kind=WarehouseKind.BRANCH,
                     address="25 Nguyễn Văn Linh, Phường Nam Dương, Quận Hải Châu, Đà Nẵng",
                     person_in_charge="Lê Minh Đức", phone="0236382123", province="Đà Nẵng",
                     district="Quận Hải Châu", ward="Phường Nam Dương")]
    session.add_all(whs)
    return whs


def _catalogue(session, suppliers):
    """The demo's products, variants and opening stock, loaded as a seller would: from a catalogue
    file through the importer (SPEC §12). What the file format does not carry — each variant's
    usual supplier and reorder point — is set afterwards."""
    report = import_catalogue(session, Upload(CATALOGUE_FILE.name, CATALOGUE_FILE.read_bytes()))
    session.flush()
    products = session.scalars(sa.select(Product).order_by(Product.id)).all()
    variants = []
    for i, product in enumerate(products):
        for variant in product.variants:
            variant.preferred_supplier = suppliers[i % len(suppliers)]
            variant.reorder_point = 5
            variants.append(variant)
    return variants, report


def _customers(session, rng):
    people = []
    for _ in range(30):
        b = random_buyer(rng)
        people.append(Customer(name=b["name"], phone=b["phone"], street=b.get("street"),
                               ward=b.get("ward"), district=b.get("district"),
                               province=b.get("province")))
    for name, prefix in BUSINESSES:
        b = random_buyer(rng)
        address = ", ".join(p for p in (b.get("street"), b.get("ward"), b.get("district"),
                                        b.get("province")) if p)
        people.append(Customer(name=b["name"], phone=b["phone"], company_name=name,
                               tax_code=_valid_tax_code(prefix), invoice_address=address,
                               invoice_email=f"ketoan{len(people)}@example.vn", wants_invoice=True,
                               street=b.get("street"), ward=b.get("ward"),
                               district=b.get("district"), province=b.get("province")))
    session.add_all(people)
    return people


def _channels(session, warehouse):
    rows = [Channel(platform=Platform.WEBSITE, name="Website orderhub-demo.vn", shop_id="website",
                    credentials={"api_secret": "demo-website-secret"}, order_warehouse=warehouse),
            Channel(platform=Platform.MANUAL, name="Điện thoại & Facebook", shop_id="manual",
                    order_warehouse=warehouse)]
    for ch in rows:
        ch.fulfilling_warehouses = [warehouse]
    session.add_all(rows)
    return rows


# (final state, how many) — every state of SPEC §3, reached through the lifecycle services.
PLAN = [("new", 10), ("processing", 8), ("processing_short", 3), ("packed", 8), ("shipped", 8),
        ("delivered", 5), ("completed", 10), ("cancelled", 4), ("delivery_failed", 2),
        ("returned", 2)]


def _orders(app, session, rng, customers, variants, channels, warehouse):
    in_stock = [v for v in variants if v.sku.endswith(("-M", "-L", "-30", "-40", "-DEN", "-TRANG"))]
    scarce = [v for v in variants if v.sku.endswith("-XL")]
    created: dict[str, list[int]] = {}
    now = utcnow()
    for state, count in PLAN:
        for _ in range(count):
            pool = scarce if state == "processing_short" else in_stock
            picks = rng.sample(pool, k=min(len(pool), rng.randint(1, 3)))
            qty = 30 if state == "processing_short" else None
            customer_id, channel = rng.choice(customers).id, rng.choice(channels)
            payment = rng.choice(["cod", "cod", "prepaid"])
            if state == "delivered":  # delivered COD parcels wait for the carrier's statement
                payment = "cod"
            order = create_manual_order(
                session, customer_id=customer_id, warehouse_id=warehouse.id,
                channel=channel, payment_method=payment,
                shipping_fee=rng.choice([0, 20000, 30000]),
                lines=[(v.id, qty or rng.randint(1, 2)) for v in picks])
            order.placed_at = now - dt.timedelta(days=rng.randint(0, 29), hours=rng.randint(0, 12))
            session.commit()
            created.setdefault(state, []).append(order.id)
    return created


def _advance(app, session, created) -> dict:
    """Walk each order through the lifecycle to its planned state."""
    def ids(*states):
        return [i for s in states for i in created.get(s, [])]

    for oid in ids("processing", "processing_short", "packed", "shipped", "delivered", "completed",
                   "cancelled", "delivery_failed", "returned"):
        orders.confirm_order(session, oid)
    for oid in ids("packed", "shipped", "delivered", "completed", "delivery_failed", "returned"):
        orders.pack_order(session, oid)
    shipped = ("shipped", "delivered", "completed", "delivery_failed", "returned")
    # The carriers' sandboxes move these parcels; their callbacks move the orders.
    demo_shipping.ship_orders(app, ids(*shipped), targets={s: ids(s) for s in shipped})
    for oid in ids("cancelled"):
        orders.cancel_order(session, oid, reason="Khách đổi ý")
    return {state: len(v) for state, v in created.items()}


def load_demo_data(app) -> dict:
    from app.extensions import db
    session = db.session
    if session.scalar(sa.select(sa.func.count(Warehouse.id))):
        return {"demo_data": "already loaded"}
    rng = random.Random(SEED)
    warehouses = _warehouses(session)
    suppliers = [Supplier(name=n, tax_code=_valid_tax_code(p), phone="0281234567",
                          contact_person="Phòng kinh doanh", email=f"sales{i}@example.vn")
                 for i, (n, p) in enumerate(SUPPLIERS)]
    session.add_all(suppliers)
    session.flush()
    variants, imported = _catalogue(session, suppliers)
    customers = _customers(session, rng)
    channels = _channels(session, warehouses[0])
    session.commit()
    created = _orders(app, session, rng, customers, variants, channels, warehouses[0])
    result = {"orders": _advance(app, session, created), "products": imported.created["products"],
              "variants": len(variants), "customers": len(customers)}
    result["channels"] = demo_channels.load(app)
    result["invoicing"] = demo_invoicing.load(app)
    return result
