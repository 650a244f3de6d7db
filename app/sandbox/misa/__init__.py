"""MISA meInvoice sandbox: the provider's real paths under ``/sandbox/misa``.

Point ``MisaClient`` at ``http://HOST:PORT/sandbox/misa`` with ``DEMO_CREDENTIALS``. Served (all under
``/api/integration``): ``POST /auth/token``, ``POST /invoice`` (SignType 2, publish), ``POST /invoice/status``
(inputType 1 = TransactionID, 2 = RefID), ``POST /invoice/download`` (PDF), ``GET /invoice/templates``.
Control: ``/_control/faults``, ``/_control/reset`` (``{"state": true}`` forgets invoices),
``/_control/config`` (``{"processing_delay": s, "status_lag": s}``: seconds of "signing" per issue, and
how long a published invoice stays out of ``/invoice/status``), ``GET /_control/invoices``, ``GET /_control/calls``
(every call received) and ``/_control/hold`` / ``/_control/release`` (see ``einvoice_register.calls``).

The register (numbering, idempotency, replacement rules, overlap detection) is the same ``Ledger`` the
S-Invoice sandbox uses; only the wire format differs.
"""
from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from functools import wraps

from flask import Blueprint, jsonify, request

from app.sandbox.faults import FaultInjector
from app.sandbox.misa.checks import check_invoice
from app.sandbox.einvoice_register import now_vn
from app.sandbox.einvoice_register.calls import register_einvoice_control
from app.sandbox.einvoice_register.document import render_provider_pdf
from app.sandbox.einvoice_register.ledger import Ledger, LedgerError

API = "/api/integration"
TOKEN_SECONDS = 14 * 24 * 3600
E_STATUS = {"original": 1, "replacement": 3, "adjustment": 5}
REF_TYPE = {"original": 0, "replacement": 1, "adjustment": 2}

DEMO_CREDENTIALS = {
    "app_id": "5f3c1e9a-7b2d-4c8e-9a61-0d2f4b6c8e10",
    "tax_code": "0108123455",
    "username": "ketoan@hoasen.example",
    "password": "MisaDemo@2026",
    "seller": {"name": "Công ty Cổ phần Mỹ phẩm Hoa Sen (demo)", "tax_code": "0108123455",
               "address": "25 Lý Thường Kiệt, Phường Cửa Nam, Thành phố Hà Nội",
               "phone": "02439123456", "email": "hoadon@hoasen.example",
               "bank_account": "12010000123456", "bank_name": "BIDV – CN Hà Nội"},
    "series": {year: [{"template": "1", "series": f"C{year % 100}TAA", "full_series": f"1C{year % 100}TAA"},
                      {"template": "2", "series": f"C{year % 100}TBB", "full_series": f"2C{year % 100}TBB"}]
               for year in range(2025, 2031)},
}


def _envelope(**fields):
    body = {"success": True, "errorCode": None, "descriptionErrorCode": None, "createInvoiceResult": None,
            "publishInvoiceResult": None, "errors": [], "data": None, "customData": None}
    body.update(fields)
    return jsonify(body)


def _status_row(inv) -> dict:
    e_status = 7 if inv.replaced_by else 8 if inv.adjusted_by else E_STATUS[inv.kind]
    return {"RefID": inv.key, "InvSeries": f"{inv.template}{inv.series}", "InvTempl": inv.template,
            "InvTemplateNo": inv.template, "TransactionID": inv.lookup_code, "PublishStatus": 1,
            "EInvoiceStatus": e_status, "ReferenceType": REF_TYPE[inv.kind], "InvoiceCode": inv.tax_authority_code,
            "SendTaxStatus": 2 if inv.tax_authority_code else 1,
            "PublishedTime": inv.issued_at.replace(tzinfo=None).isoformat(), "InvNo": f"{inv.number:08d}",
            "ReceiverStatus": 0, "IsSendMail": False}


def create_blueprint(*, seed: int = 1, account: dict | None = None) -> Blueprint:
    account = account or DEMO_CREDENTIALS
    bp = Blueprint("sandbox_misa", __name__, url_prefix="/sandbox/misa")
    ledger = Ledger(seed=seed)
    bp.sandbox_state = ledger  # kept across restarts (app.sandbox.persistence)
    injector = FaultInjector()
    tokens: dict[str, float] = {}
    tokens_lock = threading.Lock()
    calls, holds = register_einvoice_control(bp, injector, ledger)
    settings = {"status_lag": 0.0}

    def _record(view_name: str) -> str:
        body = request.get_json(silent=True)
        if view_name == "publish":
            data = body.get("InvoiceData") if isinstance(body, dict) else None
            return calls.record("create", [d.get("RefID") for d in data or [] if isinstance(d, dict)])
        elif view_name == "status":
            by_ref = request.args.get("inputType", "1") == "2"
            return calls.record("lookup" if by_ref else "status", body if isinstance(body, list) else [])
        elif view_name == "download":
            return calls.record("pdf", body if isinstance(body, list) else [])
        return calls.record(view_name)

    def api(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            fault = injector.take(request.path)
            early = injector.before(fault, {"success": False, "errorCode": "Exception",
                                            "descriptionErrorCode": "Hệ thống đang bận", "errors": []})
            if early is not None:
                return early
            token = (request.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
            with tokens_lock:
                valid = tokens.get(token, 0) > time.monotonic()
            if not valid or request.headers.get("CompanyTaxCode") != account["tax_code"]:
                return jsonify({"success": False, "errorCode": "UnAuthorize" if valid else "InvalidTokenCode",
                                "descriptionErrorCode": "Token không hợp lệ hoặc đã hết hạn, hoặc CompanyTaxCode "
                                                        "không khớp", "errors": []}), 401
            hold = holds.take(_record(view.__name__), request.path)
            response = view(*args, **kwargs)
            holds.wait(hold)
            injector.after(fault)
            return response
        return wrapper

    @bp.post(f"{API}/auth/token")
    def token():
        fault = injector.take(request.path)
        early = injector.before(fault)
        if early is not None:
            return early
        body = request.get_json(silent=True) or {}
        error = None
        if body.get("appid") != account["app_id"]:
            error = ("InvalidAppID", "AppID không hợp lệ")
        elif (body.get("taxcode"), body.get("username"), body.get("password")) != \
                (account["tax_code"], account["username"], account["password"]):
            error = ("UnAuthorize", "Mã số thuế, tên đăng nhập hoặc mật khẩu không đúng")
        if error:
            return jsonify({"Success": False, "Data": None, "ErrorCode": error[0], "Errors": [error[1]],
                            "CustomData": None})
        value = secrets.token_urlsafe(32)
        with tokens_lock:
            tokens[value] = time.monotonic() + TOKEN_SECONDS
        return jsonify({"Success": True, "Data": value, "ErrorCode": None, "Errors": [], "CustomData": None})

    @bp.post(f"{API}/invoice")
    @api
    def publish():
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("InvoiceData"), list):
            return _envelope(success=False, errorCode="InvalidXMLData", descriptionErrorCode="Dữ liệu không hợp lệ")
        if body.get("SignType") not in (2, 5):
            return _envelope(success=False, errorCode="SignatureEmpty",
                             descriptionErrorCode="Sandbox chỉ hỗ trợ ký HSM (SignType 2 hoặc 5).")
        if len(body["InvoiceData"]) > 50:
            return _envelope(success=False, errorCode="InvoiceQuantityTooLarge",
                             descriptionErrorCode="Tối đa 50 hóa đơn mỗi lần gọi.")
        results = [_publish_one(data) for data in body["InvoiceData"]]
        return _envelope(publishInvoiceResult=results)

    def _publish_one(data: dict) -> dict:
        base = {"RefID": data.get("RefID"), "TransactionID": None, "InvTemplateNo": None, "InvSeries": None,
                "InvNo": None, "InvCode": None, "InvDate": None, "ErrorCode": None, "DescriptionErrorCode": None}
        try:
            parsed = check_invoice(data, account, now_vn())
            invoice, created = ledger.issue(**{k: parsed[k] for k in ("key", "template", "series", "issued_at",
                                                                      "kind", "reference", "document")},
                                            payload=data)
        except LedgerError as exc:
            return {**base, "ErrorCode": exc.code, "DescriptionErrorCode": exc.message}
        row = {**base, "TransactionID": invoice.lookup_code, "InvTemplateNo": invoice.template,
               "InvSeries": f"{invoice.template}{invoice.series}", "InvNo": f"{invoice.number:08d}",
               "InvCode": invoice.tax_authority_code, "InvDate": invoice.issued_at.date().isoformat()}
        if not created:
            row.update(ErrorCode="DuplicateInvoiceRefID",
                       DescriptionErrorCode=f"RefID {invoice.key} đã được phát hành (hóa đơn số {invoice.number}).")
        return row

    def _by_transaction_id(tid: str):
        return next((inv for inv in ledger.all() if inv.lookup_code == tid), None)

    @bp.post(f"{API}/invoice/status")
    @api
    def status():
        ids = request.get_json(silent=True) or []
        by_ref = request.args.get("inputType", "1") == "2"
        found = [ledger.find(i) if by_ref else _by_transaction_id(i) for i in ids[:50]]
        # MISA's status list lags behind publishing (signing, sending to the tax authority):
        # ``status_lag`` seconds after an invoice is published it is not listed yet.
        shown = [inv for inv in found if inv is not None and time.time() - inv.created >= settings["status_lag"]]
        return _envelope(data=json.dumps([_status_row(inv) for inv in shown], ensure_ascii=False))

    @bp.post(f"{API}/invoice/download")
    @api
    def download():
        if request.args.get("downloadDataType", "pdf").lower() != "pdf":
            return _envelope(success=False, errorCode="Exception", descriptionErrorCode="Sandbox chỉ trả về PDF.")
        rows = []
        for tid in (request.get_json(silent=True) or [])[:50]:
            invoice = _by_transaction_id(tid)
            if invoice is not None:
                pdf = render_provider_pdf(invoice, "MISA meInvoice")
                rows.append({"TransactionID": tid, "Data": base64.b64encode(pdf).decode()})
        if not rows:
            return _envelope(success=False, errorCode="InvalidTransactionID",
                             descriptionErrorCode="Không tìm thấy hóa đơn theo TransactionID.")
        return _envelope(data=rows)

    @bp.get(f"{API}/invoice/templates")
    @api
    def templates():
        year = int(request.args.get("year") or now_vn().year)
        return _envelope(data=[{"IPTemplateID": f"tpl-{s['full_series']}", "InvTemplateNo": s["template"],
                                "InvSeries": s["full_series"], "OrgInvSeries": s["series"], "Inactive": False,
                                "IsSendSummary": False, "IsMoreVATRate": True}
                               for s in account["series"].get(year, [])])

    @bp.post("/_control/config")
    def config():
        data = request.get_json(silent=True) or {}
        if "processing_delay" in data:
            ledger.processing_delay = max(0.0, float(data["processing_delay"]))
        if "status_lag" in data:
            settings["status_lag"] = max(0.0, float(data["status_lag"]))
        return jsonify({"processing_delay": ledger.processing_delay, "status_lag": settings["status_lag"]})

    @bp.get("/_control/invoices")
    def invoices():
        return jsonify([_status_row(i) for i in ledger.all()])

    return bp
