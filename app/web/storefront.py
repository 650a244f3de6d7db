"""POST /api/v1/storefront/orders: orders from the seller's own website (SPEC §5.2).

The website names its channel in ``X-Channel-Id`` and signs the raw body (``X-Signature``, see
services/storefront.py). Answers: 201 with the new order, 200 with the same order for a repeat,
401 for a bad signature or an unknown channel, 422 naming the field at fault.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.web.i18n import error_text
from app.extensions import db
from app.models import Channel
from app.services.errors import DomainError
from app.services.integration_log import record_inbound
from app.services.storefront import create_storefront_order
from app.web.inbound import read_body

bp = Blueprint("storefront", __name__, url_prefix="/api/v1/storefront")
MAX_BODY = 256 * 1024


def _answer(status: int, body: dict, raw: bytes, channel_id=None):
    record_inbound(db.session, system="website", endpoint="/api/v1/storefront/orders",
                   status=status, body=raw.decode("utf-8", "replace")[:20000],
                   error=None if status < 400 else body.get("message"), channel_id=channel_id)
    return jsonify(body), status


@bp.post("/orders")
def receive_order():
    raw = read_body(MAX_BODY)
    if raw is None:
        return _answer(413, {"message": "The body is larger than 256 KB."}, b"")
    channel_ref = (request.headers.get("X-Channel-Id") or "").strip()
    known = channel_ref.isascii() and channel_ref.isdigit() and len(channel_ref) <= 9
    channel = db.session.get(Channel, int(channel_ref)) if known else None
    if channel is None:
        return _answer(401, {"message": "Unknown channel: send its id in X-Channel-Id."}, raw)
    try:
        result = create_storefront_order(db.session, channel, raw,
                                         request.headers.get("X-Signature"))
    except DomainError as exc:
        db.session.rollback()
        body = {"message": error_text(exc)}
        errors = getattr(exc, "errors", None) or exc.details.get("errors")
        if errors:
            body["errors"] = errors
        return _answer(exc.http_status, body, raw, channel.id)
    order = result.order
    body = {"order_id": order.id, "number": order.number, "status": order.status.value,
            "total": int(order.total), "created": result.created,
            "needs_attention": order.needs_attention}
    return _answer(201 if result.created else 200, body, raw, channel.id)
