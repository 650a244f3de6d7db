"""The demo a newcomer gets from `make run`: a shop's worth of data, orders in every state reached
through the services, a ledger that balances, and every role able to sign in."""
import sqlalchemy as sa

from app.extensions import db
from app.models import (Channel, Customer, Order, OrderStatus, Product, ProductVariant, StockMove,
                        Supplier, Warehouse, WarehouseKind)
from app.services.tax_code import normalize_tax_code
from tests.conftest import DEMO_PASSWORD


def test_demo_data(web_app):
    from app.demo import load_demo
    with web_app.app_context():
        first = load_demo(web_app, password=DEMO_PASSWORD)
        assert first["orders"]
        again = load_demo(web_app, password=DEMO_PASSWORD)
        assert again["demo_data"] == "already loaded" and not again["users_created"]
        s = db.session
        assert {w.kind for w in s.scalars(sa.select(Warehouse))} == set(WarehouseKind)
        assert s.scalar(sa.select(sa.func.count(Product.id))) >= 30
        assert s.scalar(sa.select(sa.func.count(ProductVariant.id))) > 30
        assert s.scalar(sa.select(sa.func.count(StockMove.id))) > 30  # opening stock as moves
        assert s.scalar(sa.select(sa.func.count(Supplier.id))) >= 3
        businesses = s.scalars(sa.select(Customer).where(Customer.tax_code.isnot(None))).all()
        assert len(businesses) >= 3
        for c in businesses:
            assert normalize_tax_code(c.tax_code) == c.tax_code
        assert s.scalar(sa.select(sa.func.count(Customer.id)).where(Customer.tax_code.is_(None))) >= 10
        assert {c.platform.value for c in s.scalars(sa.select(Channel))} >= \
            {"website", "shopee", "lazada", "tiktok", "manual"}
        assert s.scalar(sa.select(sa.func.count(Order.id))) >= 50
        states = {st for (st,) in s.execute(sa.select(Order.status).distinct())}
        assert states == set(OrderStatus)
    result = web_app.test_cli_runner().invoke(args=["stock", "verify"])
    assert result.exit_code == 0 and "match the ledger" in result.output


def test_every_role_signs_in_and_the_health_check_answers(web_app):
    client = web_app.test_client()
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json["database"]["ok"] and health.json["queue"]["ok"]
    for user in ("admin", "supervisor", "clerk"):
        c = web_app.test_client()
        resp = c.post("/login/", data={"username": user, "password": DEMO_PASSWORD})
        assert resp.status_code == 302
        assert c.get("/").status_code == 200


def test_stock_verify_reports_a_tampered_level(web_app):
    from app.demo import load_demo
    with web_app.app_context():
        load_demo(web_app, password=DEMO_PASSWORD)
        db.session.execute(sa.text("UPDATE stock_level SET on_hand = on_hand + 1 WHERE id = 1"))
        db.session.commit()
    result = web_app.test_cli_runner().invoke(args=["stock", "verify"])
    assert result.exit_code == 1 and "difference" in result.output
