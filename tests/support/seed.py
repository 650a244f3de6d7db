"""Small, realistic records for web-level tests, made through the services (raw rows only where a
test needs a state as such: ``records_of_every_kind``)."""
from __future__ import annotations

from decimal import Decimal

import app.models as models
from app.models import Customer, Order, OrderLine, Product, ProductVariant, Warehouse
from app.models.base import utcnow
from app.services import ledger
from app.services.jobs import start_job

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


def records_of_every_kind(session, wh, variant, supplier, customer, tag: str) -> None:
    """One record of every warehouse-bound kind in ``wh`` (an order with its line, shipment,
    tracking event, COD line, invoice and return; a count, a purchase order and its receipt; a
    ledger move, a failed job and its integration log), written as rows: a state no single
    service reaches, for tests that look at what is visible rather than how it came to be."""
    order = Order(buyer_name=f"Người mua {tag}", buyer_phone="0912345678", customer=customer,
                  warehouse=wh, ship_street="12 Lý Tự Trọng", ship_ward="Phường Bến Nghé",
                  ship_district="Quận 1", ship_province="TP. Hồ Chí Minh")
    line = OrderLine(variant=variant, sku=variant.sku, name="Áo thun", quantity=2,
                     unit_price=150000, vat_rate="10")
    order.lines.append(line)
    shipment = models.Shipment(order=order, carrier="ghn", client_reference=f"REF-{tag}",
                               tracking_number=f"TRK{tag}", label_pdf=b"%PDF-1.4 label")
    event = models.TrackingEvent(shipment=shipment, event_time=utcnow(), carrier_status="picked",
                                 status="picked_up")
    rec = models.CodReconciliation(number=f"COD-{tag}", carrier="ghn")
    rec.lines.append(models.CodReconciliationLine(shipment=shipment, expected_cod=Decimal(300000)))
    invoice = models.Invoice(order=order, provider="sinvoice", series="C26TAA",
                             transaction_key=f"key-{tag}", buyer_name=f"Người mua {tag}")
    invoice.lines.append(models.InvoiceLine(position=1, name="Áo thun", quantity=2,
                                            unit_price=150000, vat_rate="10", amount=300000))
    ret = models.ReturnRequest(number=f"RT-{tag}", order=order, warehouse=wh)
    ret.lines.append(models.ReturnLine(order_line=line, quantity=1))
    count = models.StockCount(number=f"SC-{tag}", warehouse=wh)
    count.lines.append(models.StockCountLine(variant=variant, system_quantity=5))
    po = models.PurchaseOrder(number=f"PO-{tag}", supplier=supplier, warehouse=wh)
    po.lines.append(models.PurchaseOrderLine(variant=variant, quantity=3, unit_price=90000))
    receipt = models.GoodsReceipt(number=f"GR-{tag}", purchase_order=po, supplier=supplier,
                                  warehouse=wh)
    receipt.lines.append(models.GoodsReceiptLine(variant=variant, quantity=1, unit_cost=90000))
    session.add_all([order, shipment, event, rec, invoice, ret, count, po, receipt])
    session.commit()
    ledger.record_opening_stock(session, variant.id, wh.id, 5)
    job = start_job(session, "orders.recalculate_totals", f"Totals {tag}", target_type="order",
                    target_ids=[order.id])
    job.status = models.JobStatus.FAILED
    session.add(models.IntegrationLog(direction="out", system="ghn", endpoint=f"/create {tag}",
                                      job_id=job.id, request_body=f"Người mua {tag}"))
    session.commit()


def two_warehouses_of_records(session):
    """Warehouses HCM and HN with a record of every warehouse-bound kind each (tagged MINE and
    THEIRS), sharing one product, supplier and customer; returns (HCM, HN)."""
    mine = Warehouse(code="HCM", name="Kho Hồ Chí Minh")
    theirs = Warehouse(code="HN", name="Kho Hà Nội")
    product = Product(name="Áo thun", sku="AO", selling_price=150000, cost_price=90000)
    variant = ProductVariant(product=product, sku="AO-M", weight_g=250)
    supplier = models.Supplier(name="Xưởng may")
    customer = Customer(name="Khách quen", phone="0912345678")  # buys from both
    session.add_all([mine, theirs, product, variant, supplier, customer])
    session.commit()
    records_of_every_kind(session, mine, variant, supplier, customer, "MINE")
    records_of_every_kind(session, theirs, variant, supplier, customer, "THEIRS")
    return mine, theirs
