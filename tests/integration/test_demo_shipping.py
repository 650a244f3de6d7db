"""The demo's shipped orders got where they are through the carriers' sandboxes: each order and
its parcel agree, and there are delivered COD parcels left to reconcile."""
import sqlalchemy as sa

from app.extensions import db
from app.models import Order, OrderStatus, Shipment, ShipmentStatus, TrackingEvent
from app.services import cod
from tests.conftest import DEMO_PASSWORD

AGREE = {OrderStatus.SHIPPED: {ShipmentStatus.PICKED_UP, ShipmentStatus.IN_TRANSIT},
         OrderStatus.DELIVERED: {ShipmentStatus.DELIVERED},
         OrderStatus.COMPLETED: {ShipmentStatus.DELIVERED},
         OrderStatus.DELIVERY_FAILED: {ShipmentStatus.DELIVERY_FAILED},
         OrderStatus.RETURNED: {ShipmentStatus.RETURNED}}


def test_demo_orders_and_their_parcels_agree(web_app):
    from app.demo import load_demo
    with web_app.app_context():
        load_demo(web_app, password=DEMO_PASSWORD)
        s = db.session
        rows = s.execute(sa.select(Order.status, Shipment.status, Shipment.id)
                         .join(Shipment, Shipment.order_id == Order.id)
                         .where(Order.status.in_(list(AGREE)))).all()
        assert {order for order, _s, _i in rows} == set(AGREE)  # every state, through a carrier
        for order_status, shipment_status, _id in rows:
            assert shipment_status in AGREE[order_status], (order_status, shipment_status)
        # The statuses came from the carriers' callbacks, not from our own services.
        webhook_events = s.scalar(sa.select(sa.func.count(TrackingEvent.id))
                                  .where(TrackingEvent.source == "webhook"))
        assert webhook_events >= 5 * len(rows)
        assert cod.eligible_shipments(s), "delivered COD parcels left for the clerk to reconcile"
        completed_cod = s.scalars(sa.select(Shipment).join(Order, Order.id == Shipment.order_id)
                                  .where(Order.status == OrderStatus.COMPLETED,
                                         Shipment.cod_amount > 0)).all()
        assert completed_cod and all(sh.cod_reconciled for sh in completed_cod)
    result = web_app.test_cli_runner().invoke(args=["stock", "verify"])
    assert result.exit_code == 0
