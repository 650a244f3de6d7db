"""Reading what the admin panel showed, and the stock figures behind it, in web-level tests."""
from __future__ import annotations

import html

import sqlalchemy as sa

from app.extensions import db
from app.models import ProductVariant, StockLevel, Warehouse


def text(resp) -> str:
    """The page as a person reads it (entities unescaped), for looking for flash messages."""
    return html.unescape(resp.get_data(as_text=True))


def level(app, sku: str, warehouse_code: str = "HCM") -> tuple[int, int]:
    """(on_hand, reserved) of a variant in a warehouse, read fresh from the database."""
    with app.app_context():
        db.session.expire_all()
        row = db.session.execute(
            sa.select(StockLevel.on_hand, StockLevel.reserved)
            .join(ProductVariant, ProductVariant.id == StockLevel.variant_id)
            .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
            .where(ProductVariant.sku == sku, Warehouse.code == warehouse_code)).first()
        return (row.on_hand, row.reserved) if row else (0, 0)


def assert_ledger_clean(app) -> None:
    """`flask stock verify`'s check: every StockLevel equals what the ledger and orders say."""
    from app.cli_stock import verify_stock
    with app.app_context():
        db.session.expire_all()
        differences = verify_stock(db.session)
        assert differences == [], [str(d) for d in differences]

