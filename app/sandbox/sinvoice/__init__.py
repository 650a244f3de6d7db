"""Viettel S-Invoice sandbox: the provider's real paths under ``/sandbox/sinvoice``.

Point ``SInvoiceClient`` at ``http://HOST:PORT/sandbox/sinvoice`` with ``DEMO_CREDENTIALS``. Served:

- ``POST /auth/login`` (token → ``Cookie: access_token``; HTTP Basic works on every call too);
- ``POST /services/einvoiceapplication/api/InvoiceAPI/InvoiceWS/createInvoice/<supplierTaxCode>``;
- ``POST …/InvoiceAPI/InvoiceWS/searchInvoiceByTransactionUuid`` (form-encoded);
- ``POST …/InvoiceAPI/InvoiceUtilsWS/getInvoiceRepresentationFile``;
- control: ``/_control/faults``, ``/_control/reset`` (``{"state": true}`` also forgets invoices),
  ``/_control/config`` (``{"processing_delay": 0.2}`` seconds of "signing" per issue, to make requests
  overlap), ``GET /_control/invoices`` (the register, for demos and tests), ``GET /_control/calls``
  (every call received, like the provider's audit log) and ``/_control/hold`` / ``/_control/release``
  (issue, then hold the answer: see ``einvoice_register.calls``).
"""
from __future__ import annotations

import base64
import secrets
import threading
import time
from functools import wraps

from flask import Blueprint, jsonify, request

from app.sandbox.einvoice_register import to_epoch_ms
from app.sandbox.faults import FaultInjector
from app.sandbox.sinvoice.checks import check_create, now_vn
from app.sandbox.einvoice_register.calls import register_einvoice_control
from app.sandbox.einvoice_register.document import render_provider_pdf
from app.sandbox.einvoice_register.ledger import Ledger, LedgerError

API = "/services/einvoiceapplication/api/InvoiceAPI"
TOKEN_SECONDS = 300

DEMO_CREDENTIALS = {
    "username": "0318123451",
    "password": "SInvoice@2026",
    "supplier_tax_code": "0318123451",
    "seller": {"name": "Công ty TNHH Thương mại Điện tử Sen Việt (demo)", "tax_code": "0318123451",
               "address": "12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh",
               "phone": "02838123456", "email": "ketoan@senviet.example",
               "bank_account": "0071001234567", "bank_name": "Vietcombank – CN Hồ Chí Minh"},
    # Registered template/series per year: template 1 = VAT invoice, 2 = sales invoice.
    "series": {year: [{"template": "1", "template_code": "1/001", "series": f"C{year % 100}TAA"},
                      {"template": "1", "template_code": "1/001", "series": f"K{year % 100}TAK"},
                      {"template": "2", "template_code": "2/001", "series": f"C{year % 100}TBB"}]
               for year in range(2025, 2031)},
}

STATUS_TEXT = {"original": "Hóa đơn gốc", "replacement": "Hóa đơn thay thế",
               "adjustment": "Hóa đơn điều chỉnh"}


def _status(invoice) -> str:
    if invoice.replaced_by:
        return "Hóa đơn bị thay thế"
    if invoice.adjusted_by:
        return "Hóa đơn bị điều chỉnh"
    return STATUS_TEXT[invoice.kind]


def create_blueprint(*, seed: int = 1, account: dict | None = None) -> Blueprint:
    account = account or DEMO_CREDENTIALS
    bp = Blueprint("sandbox_sinvoice", __name__, url_prefix="/sandbox/sinvoice")
    ledger = Ledger(seed=seed)
    bp.sandbox_state = ledger  # kept across restarts (app.sandbox.persistence)
    injector = FaultInjector()
    tokens: dict[str, float] = {}
    tokens_lock = threading.Lock()
    calls, holds = register_einvoice_control(bp, injector, ledger)

    def authorized() -> bool:
        auth = request.authorization
        if auth and auth.type == "basic":
            return auth.username == account["username"] and auth.password == account["password"]
        token = request.cookies.get("access_token")
        with tokens_lock:
            return bool(token) and tokens.get(token, 0) > time.monotonic()

    def api(view):
        """Faults first, then auth, then the view; ``LedgerError`` becomes S-Invoice's error body."""
        @wraps(view)
        def wrapper(*args, **kwargs):
            fault = injector.take(request.path)
            early = injector.before(fault, {"code": 500, "message": "INTERNAL_SERVER_ERROR",
                                            "data": "Hệ thống đang bận"})
            if early is not None:
                return early
            if not authorized():
                return jsonify({"code": 401, "message": "UNAUTHORIZED",
                                "data": "Sai tên đăng nhập hoặc mật khẩu hoặc phiên đã hết hạn"}), 401
            hold = holds.take(_record(view.__name__), request.path)
            try:
                response = view(*args, **kwargs)
            except LedgerError as exc:
                response = jsonify({"errorCode": exc.code, "description": exc.message, "result": None})
            holds.wait(hold)
            injector.after(fault)
            return response
        return wrapper

    def _record(view_name: str) -> str:
        if view_name == "create_invoice":
            body = request.get_json(silent=True) or {}
            key = ((body.get("generalInvoiceInfo") or {}) if isinstance(body, dict) else {}).get("transactionUuid")
            return calls.record("create", [key])
        elif view_name == "search_by_uuid":
            return calls.record("lookup", [request.form.get("transactionUuid")])
        else:
            body = request.get_json(silent=True) or {}
            return calls.record("pdf", [body.get("transactionUuid")] if isinstance(body, dict) else [])

    @bp.post("/auth/login")
    def login():
        fault = injector.take(request.path)
        early = injector.before(fault)
        if early is not None:
            return early
        body = request.get_json(silent=True) or {}
        if body.get("username") != account["username"] or body.get("password") != account["password"]:
            return jsonify({"code": 401, "message": "UNAUTHORIZED",
                            "data": "Tên đăng nhập hoặc mật khẩu không đúng"}), 401
        token = secrets.token_urlsafe(24)
        with tokens_lock:
            tokens[token] = time.monotonic() + TOKEN_SECONDS
        return jsonify({"access_token": token, "token_type": "bearer", "refresh_token": secrets.token_urlsafe(24),
                        "expires_in": TOKEN_SECONDS - 1, "scope": "openid", "iat": int(time.time()),
                        "invoice_cluster": "cluster7", "type": 1, "jti": secrets.token_hex(8)})

    @bp.post(f"{API}/InvoiceWS/createInvoice/<supplier_tax_code>")
    @api
    def create_invoice(supplier_tax_code):
        if supplier_tax_code != account["supplier_tax_code"]:
            return jsonify({"code": 403, "message": "FORBIDDEN",
                            "data": f"Tài khoản không có quyền với mã số thuế {supplier_tax_code}"}), 403
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify({"code": 400, "message": "BAD_REQUEST_INVALID_JSON",
                            "data": "Dữ liệu không đúng định dạng JSON"}), 400
        parsed = check_create(body, account, now_vn())
        invoice, _ = ledger.issue(key=parsed["key"], template=parsed["template"], series=parsed["series"],
                                  issued_at=parsed["issued_at"], kind=parsed["kind"],
                                  reference=parsed["reference"], document=parsed["document"], payload=body)
        return jsonify({"errorCode": None, "description": None, "result": {
            "supplierTaxCode": supplier_tax_code, "invoiceNo": invoice.invoice_no,
            "transactionID": invoice.provider_id, "reservationCode": invoice.lookup_code,
            "codeOfTax": invoice.tax_authority_code}})

    @bp.post(f"{API}/InvoiceWS/searchInvoiceByTransactionUuid")
    @api
    def search_by_uuid():
        key = request.form.get("transactionUuid", "")
        if request.form.get("supplierTaxCode") != account["supplier_tax_code"]:
            raise LedgerError("INVALID_SUPPLIER_TAX_CODE", "supplierTaxCode không khớp tài khoản.")
        invoice = ledger.find(key)
        result = []
        if invoice is not None:
            result.append({"supplierTaxCode": account["supplier_tax_code"], "invoiceNo": invoice.invoice_no,
                           "templateCode": invoice.document["template_code"],
                           "transactionID": invoice.provider_id, "reservationCode": invoice.lookup_code,
                           "issueDate": to_epoch_ms(invoice.issued_at), "status": _status(invoice),
                           "exchangeStatus": "INVOICE_HAS_CODE_APPROVED" if invoice.tax_authority_code
                           else "INVOICE_WITHOUT_CODE", "exchangeDes": "", "codeOfTax": invoice.tax_authority_code})
        return jsonify({"transactionUuid": key, "errorCode": None, "description": None, "result": result})

    @bp.post(f"{API}/InvoiceUtilsWS/getInvoiceRepresentationFile")
    @api
    def representation_file():
        body = request.get_json(silent=True) or {}
        invoice_no = str(body.get("invoiceNo") or "")
        invoice = ledger.get(str(body.get("templateCode", "")).split("/")[0], invoice_no[:6],
                             int(invoice_no[6:]) if invoice_no[6:].isdigit() else -1)
        if invoice is None or (body.get("transactionUuid") and body["transactionUuid"] != invoice.key):
            raise LedgerError("INVOICE_NOT_FOUND", f"Không tìm thấy hóa đơn {invoice_no}.")
        if str(body.get("fileType", "PDF")).upper() != "PDF":
            raise LedgerError("FILE_TYPE_NOT_SUPPORTED", "Sandbox chỉ trả về PDF.")
        pdf = render_provider_pdf(invoice, "Viettel S-Invoice")
        return jsonify({"errorCode": None, "description": None, "fileName": f"{invoice.invoice_no}.pdf",
                        "fileToBytes": base64.b64encode(pdf).decode()})

    @bp.post("/_control/config")
    def config():
        data = request.get_json(silent=True) or {}
        if "processing_delay" in data:
            ledger.processing_delay = max(0.0, float(data["processing_delay"]))
        return jsonify({"processing_delay": ledger.processing_delay})

    @bp.get("/_control/invoices")
    def invoices():
        return jsonify([{"invoiceNo": i.invoice_no, "template": i.template, "number": i.number,
                         "kind": i.kind, "status": _status(i), "transactionUuid": i.key,
                         "codeOfTax": i.tax_authority_code, "paymentStatus": i.document.get("paid"),
                         "issueDate": to_epoch_ms(i.issued_at),
                         "agreement": i.document.get("agreement")} for i in ledger.all()])

    return bp
