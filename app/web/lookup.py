"""Search-as-you-type look-ups behind the customer, variant and address selects (at most 20
matches; provinces and wards come from app.services.divisions, today's administrative units)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_babel import gettext

from app.extensions import db
from app.models import Customer, Product, ProductVariant, StockLevel
from app.services import divisions
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
    price = sa.func.coalesce(ProductVariant.selling_price, Product.selling_price, 0)
    stmt = (sa.select(ProductVariant, Product.name, available, price)
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
        {"id": v.id, "text": gettext("%(sku)s — %(name)s (%(n)s available)", sku=v.sku, name=name,
                                     n=int(avail)),
         "available": int(avail), "price": int(selling)}
        for v, name, avail, selling in rows]})



@bp.get("/provinces")
def provinces():
    """``?q=`` part of the name, with or without diacritics: ``{"results": [{"id": GSO code,
    "text": name}]}`` — all 34 when nothing is typed. Whoever may read customers (and so their
    addresses) may use it, as the address forms do."""
    _require_read("Customer")
    hits = divisions.search(divisions.provinces(), request.args.get("q", ""),
                            name=lambda p: p.name, limit=40)
    return jsonify({"results": [{"id": p.code, "text": p.name} for p in hits]})


@bp.get("/wards")
def wards():
    """``?province=<GSO code>&q=``: the province's wards matching what was typed (empty without a
    province)."""
    _require_read("Customer")
    found = divisions.find_province(request.args.get("province", ""))
    if found is None:
        return jsonify({"results": []})
    hits = divisions.search(divisions.wards_of(found.code), request.args.get("q", ""),
                            limit=LIMIT if request.args.get("q") else 50)
    return jsonify({"results": [{"id": w.code, "text": w.name} for w in hits]})
