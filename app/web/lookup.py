"""Search-as-you-type look-ups behind the customer and variant selects (at most 20 matches)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, g, jsonify, request

from app.extensions import db
from app.models import Customer, Product, ProductVariant, StockLevel
from app.services.catalog import search
from app.services.phones import phone_search_key

bp = Blueprint("lookup", __name__, url_prefix="/lookup")
LIMIT = 20


def _require_read(resource: str) -> None:
    user = getattr(g, "user", None)
    if user is None or not user.is_authenticated:
        abort(401)
    if not current_app.appbuilder.sm.has_access("can_read", resource):
        abort(403)


@bp.get("/customers")
def customers():
    _require_read("Customer")
    q = (request.args.get("q") or "").strip()
    stmt = sa.select(Customer).order_by(Customer.name).limit(LIMIT)
    if q:
        match = search.find_customers(db.session, q)
        found = [Customer.tax_code == q] + ([match.condition] if match else [])
        digits = phone_search_key(q)
        if digits and len(digits) >= 3:
            found.append(Customer.phone.like(f"%{digits}%"))
        stmt = stmt.where(sa.or_(*found))
    rows = db.session.scalars(stmt).all()
    return jsonify({"results": [{"id": c.id, "text": str(c)} for c in rows]})


@bp.get("/variants")
def variants():
    _require_read("ProductVariant")
    q = (request.args.get("q") or "").strip()
    available = sa.select(sa.func.coalesce(sa.func.sum(StockLevel.available), 0)) \
        .where(StockLevel.variant_id == ProductVariant.id).scalar_subquery()
    stmt = (sa.select(ProductVariant, Product.name, available)
            .join(Product, Product.id == ProductVariant.product_id)
            .where(ProductVariant.active.is_(True)).order_by(ProductVariant.sku).limit(LIMIT))
    if q:
        match = search.find_variants(db.session, q)
        barcode = ProductVariant.barcode == q
        stmt = stmt.where(barcode if match is None else sa.or_(match.condition, barcode))
        stmt = stmt.order_by(None).order_by(
            search.code_first(ProductVariant.sku, q, ProductVariant.barcode),
            *(match.order if match is not None else ()), ProductVariant.sku)
    rows = db.session.execute(stmt).all()
    return jsonify({"results": [
        {"id": v.id, "text": f"{v.sku} — {name} ({avail} available)", "available": int(avail)}
        for v, name, avail in rows]})
