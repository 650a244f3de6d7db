"""The running counts the landing page reads agree with a count of the orders and parcels, however
they were written (ORM, raw SQL, deletes), before and after folding."""
import datetime as dt

import sqlalchemy as sa

from app.models import (Carrier, Channel, Order, OrderStatus, Platform, Shipment, ShipmentStatus,
                        ShippingService, Warehouse)
from app.services import tallies


def _counted(session):
    rows = session.execute(sa.select(Order.channel_id, Order.status, sa.func.count(Order.id))
                           .group_by(Order.channel_id, Order.status)).all()
    return sorted(((c or 0, getattr(s, "value", s), n) for c, s, n in rows))


def _parcels(session):
    rows = session.execute(sa.select(Shipment.status, sa.func.count(Shipment.id))
                           .group_by(Shipment.status)).all()
    return {getattr(s, "value", s): n for s, n in rows}


def _sales(session):
    """{(hour, cancelled): (orders, sales)} from the orders themselves."""
    out = {}
    for o in session.scalars(sa.select(Order)):
        when = (o.placed_at or o.created_at).replace(minute=0, second=0, microsecond=0)
        key = (when, o.status == OrderStatus.CANCELLED)
        n, total = out.get(key, (0, 0))
        out[key] = (n + 1, total + int(o.total))
    return out


def _sales_tallied(session):
    rows = session.execute(sa.text(
        "SELECT hour, cancelled, sum(orders), sum(sales) FROM sales_tally GROUP BY hour, cancelled "
        "HAVING sum(orders) <> 0 OR sum(sales) <> 0")).all()
    return {(h if isinstance(h, dt.datetime) else dt.datetime.fromisoformat(h), bool(c)):
            (int(n), int(s)) for h, c, n, s in rows}


def _check(session):
    assert _sales_tallied(session) == _sales(session)
    assert sorted((c or 0, s, n) for c, s, n in tallies.orders_by_key(session)) == _counted(session)
    assert tallies.shipments_by_status(session) == _parcels(session)


def test_tallies_follow_every_kind_of_write(session):
    hcm, hn = Warehouse(code="HCM", name="Kho HCM"), Warehouse(code="HN", name="Kho HN")
    shopee = Channel(platform=Platform.SHOPEE, name="Shopee", shop_id="1")
    session.add_all([hcm, hn, shopee])
    session.flush()
    orders = [Order(number=f"SO{i}", buyer_name=f"Khách {i}", warehouse=hcm if i % 2 else hn,
                    channel=shopee if i % 3 else None) for i in range(12)]
    session.add_all(orders)
    session.flush()
    _check(session)
    orders[0].status = OrderStatus.PROCESSING          # the ORM moves one
    orders[1].warehouse = hn                           # … and sends one to another warehouse
    session.flush()
    session.execute(sa.text("UPDATE sales_order SET status = 'packed' WHERE id IN (:a, :b)"),
                    {"a": orders[2].id, "b": orders[3].id})   # raw SQL, as confirmations do
    session.execute(sa.text("UPDATE sales_order SET notes = 'x'"))  # no key changed: no row
    session.execute(sa.text("UPDATE sales_order SET total = 150000 WHERE id = :a"),
                    {"a": orders[5].id})
    orders[6].status = OrderStatus.CANCELLED
    orders[7].placed_at = dt.datetime(2026, 1, 2, 3, 4, 5)
    session.delete(orders[4])
    session.flush()
    for i, o in enumerate(orders[5:8]):
        session.add(Shipment(order_id=o.id, carrier=Carrier.GHN, service=ShippingService.FAST,
                             client_reference=f"R{i}", status=ShipmentStatus.CREATED))
    session.flush()
    session.execute(sa.text("UPDATE shipment SET status = 'delivered' WHERE client_reference = 'R0'"))
    session.expire_all()
    _check(session)
    by_hand = sum(n for _, _, n in tallies.orders_by_key(session, warehouse_ids=[hn.id]))
    assert by_hand == session.scalar(sa.select(sa.func.count(Order.id))
                                     .where(Order.warehouse_id == hn.id))

    before = session.scalar(sa.text("SELECT count(*) FROM order_tally"))
    tallies.fold(session, "order_tally")
    tallies.fold(session, "shipment_tally")
    after = session.scalar(sa.text("SELECT count(*) FROM order_tally"))
    keys = session.execute(sa.select(Order.channel_id, Order.warehouse_id, Order.status)
                           .distinct()).all()
    assert after < before and after == len(keys)  # one row a key
    _check(session)
    tallies.fold(session, "order_tally")   # folding again changes nothing
    _check(session)
    session.add(Order(number="SO99", buyer_name="Khách mới", warehouse=hcm))
    session.flush()
    _check(session)


def test_fold_if_long_folds_only_a_long_tally(session):
    wh = Warehouse(code="HCM", name="Kho HCM")
    session.add(wh)
    session.flush()
    session.add_all([Order(number=f"SO{i}", buyer_name="Khách", warehouse=wh) for i in range(5)])
    session.flush()
    assert tallies.fold_if_long(session) is False
    session.execute(sa.insert(Order), [{"number": f"B{i}", "buyer_name": "Khách",
                                        "warehouse_id": wh.id, "status": "new"}
                                       for i in range(tallies.FOLD_ABOVE)])
    assert tallies.fold_if_long(session) is True
    assert session.scalar(sa.text("SELECT count(*) FROM order_tally")) == 1
    _check(session)
