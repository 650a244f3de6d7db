"""Carrier status callbacks: ``/webhooks/ghn`` and ``/webhooks/viettelpost``.

GHN does not sign its callbacks, so none is believed as sent: the order's detail is fetched from
GHN and the status must be in GHN's own log for it, with GHN's time for it (a forged or replayed
callback cannot move a parcel). Viettel Post's callbacks carry the shared token set on the carrier
account; a wrong one is refused with 401. Every call is written to the integration log.
"""
from __future__ import annotations

import time

import sqlalchemy as sa

from flask import Blueprint, jsonify, request

from app.extensions import db
from app.integrations import bounded_json
from app.integrations.base import AuthError, IntegrationError, NotFound, RetryableError
from app.integrations.carriers.ghn import GHNClient, parse_time
from app.integrations.carriers.viettelpost import ViettelPostClient
from app.models import ShipmentStatus
from app.services import tracking
from app.services.carrier_clients import carrier_accounts, logged_client
from app.services.errors import DomainError, StaleVersion
from app.services.integration_log import record_inbound
from app.web.inbound import read_body

bp = Blueprint("webhooks_carriers", __name__, url_prefix="/webhooks")
MAX_BODY = 64 * 1024
TOO_BIG = "The body is larger than 64 KB."


def _body_for_log(raw: bytes):
    try:
        return bounded_json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")[:20000]


def _answer(system: str, status: int, message: str, raw: bytes):
    record_inbound(db.session, system=system, endpoint=f"/webhooks/{system}", status=status,
                   body=_body_for_log(raw), error=None if status < 400 else message)
    if system == "ghn":
        return jsonify({"code": status, "message": message}), status
    return jsonify({"status": status, "error": status >= 400, "message": message}), status


def _apply(system: str, shipment, update, raw: bytes):
    shipment_id = shipment.id
    for attempt in range(4):
        try:
            applied = tracking.apply_update(db.session, shipment_id, update, source="webhook")
            return _answer(system, 200, f"{applied.outcome}: {applied.status}", raw)
        except StaleVersion:
            pass  # a job changed the shipment meanwhile: read it again
        except sa.exc.OperationalError:
            db.session.rollback()  # SQLite: another writer committed first
        except DomainError as exc:
            db.session.rollback()
            return _answer(system, 409, exc.message, raw)
        time.sleep(0.2 * (attempt + 1))
    return _answer(system, 503, "Busy: send it again later.", raw)


@bp.post("/ghn")
def ghn():
    raw = read_body(MAX_BODY)
    if raw is None:
        return _answer("ghn", 413, TOO_BIG, b"")
    try:
        update = GHNClient.parse_webhook(raw)
    except IntegrationError as exc:
        return _answer("ghn", 400, exc.message, raw)
    shipment = tracking.find_shipment(db.session, "ghn", update.tracking_number,
                                      update.client_reference)
    if shipment is None or shipment.provider_account is None:
        return _answer("ghn", 404, f"No shipment {update.tracking_number} here.", raw)
    if shipment.status == ShipmentStatus.DRAFT:
        return _answer("ghn", 200, "booking in progress: the booking records it", raw)
    try:
        with logged_client(db.session, shipment.provider_account) as client:
            detail = client.detail(update.tracking_number)
    except RetryableError as exc:
        return _answer("ghn", 503, f"Could not confirm with GHN: {exc.message}", raw)
    except (NotFound, AuthError) as exc:
        return _answer("ghn", 401, f"GHN does not confirm this callback: {exc.message}", raw)
    times = [parse_time(e.get("updated_date")) for e in detail.log
             if str(e.get("status")) == update.raw_status]
    times = [t for t in times if t is not None]
    if detail.tracking_number != update.tracking_number or not (
            times or detail.raw_status == update.raw_status):
        return _answer("ghn", 401, f"GHN does not confirm status {update.raw_status} for "
                                   f"{update.tracking_number}.", raw)
    # GHN's own time for that status, never the unsigned callback's.
    update.event_time = max(times) if times else (detail.updated_at or update.event_time)
    return _apply("ghn", shipment, update, raw)


@bp.post("/viettelpost")
def viettelpost():
    raw = read_body(MAX_BODY)
    if raw is None:
        return _answer("viettelpost", 413, TOO_BIG, b"")
    tokens = [str((a.credentials or {}).get("webhook_token") or
                  (a.settings or {}).get("webhook_token") or "")
              for a in carrier_accounts(db.session, "viettelpost")]
    update, error = None, None
    for token in [t for t in tokens if t] or [""]:
        try:
            update = ViettelPostClient.parse_webhook(raw, token, request.headers.get("Token"))
            break
        except AuthError as exc:
            error = (401, exc.message)
        except IntegrationError as exc:
            error = (400, exc.message)
            break
    if update is None:
        return _answer("viettelpost", error[0], error[1], raw)
    shipment = tracking.find_shipment(db.session, "viettelpost", update.tracking_number,
                                      update.client_reference)
    if shipment is None:
        return _answer("viettelpost", 404, f"No shipment {update.tracking_number} here.", raw)
    return _apply("viettelpost", shipment, update, raw)
