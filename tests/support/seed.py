"""Small, realistic records for web-level tests, made through the services (never raw rows)."""
from __future__ import annotations

from app.models import Customer, Order, OrderLine, Product, ProductVariant, Warehouse
from app.services import ledger

# A checked address of today's divisions (what a form or an import stores): Phường Sài Gòn, HCMC.
ADDRESS = dict(ship_street="12 Lý Tự Trọng", ship_ward="Phường Sài Gòn",
               ship_province="Thành phố Hồ Chí Minh", ship_province_code=79, ship_ward_code=26740)


def shop(session, stock: dict[str, int] | None = None):
    """A warehouse and variants AO-M / AO-L with opening stock; returns (warehouse, {sku: variant})."""
    stock = stock if stock is not None else {"AO-M": 5, "AO-L": 1}
    wh = Warehouse(code="HCM", name="Kho Hồ Chí Minh")
    product = Product(name="Áo thun cotton", sku="AO", selling_price=150000, cost_price=90000)
    variants = {sku: ProductVariant(product=product, sku=sku, value_1=sku.split("-")[-1],
                                    weight_g=250) for sku in stock}
    session.add_all([wh, product, *variants.values()])
    session.commit()
    for sku, qty in stock.items():
        if qty:
            ledger.record_opening_stock(session, variants[sku].id, wh.id, qty)
    return wh, variants


def order(session, warehouse, variants, quantities: dict[str, int], **fields) -> Order:
    customer = Customer(name="Nguyễn Thị Hoa", phone="0912345678")
    o = Order(buyer_name="Nguyễn Thị Hoa", buyer_phone="0912345678", customer=customer,
              warehouse=warehouse, ship_street="12 Lý Tự Trọng", ship_ward="Phường Bến Nghé",
              ship_district="Quận 1", ship_province="TP. Hồ Chí Minh", **fields)
    for sku, qty in quantities.items():
        o.lines.append(OrderLine(variant=variants[sku], sku=sku, name="Áo thun cotton",
                                 quantity=qty, unit_price=150000, vat_rate="10"))
    session.add(o)
    session.commit()
    return o
