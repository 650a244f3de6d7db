"""Viettel S-Invoice client (research C): issue, look up by ``transactionUuid``, download the PDF.

``base_url`` is the host root: ``https://api-vinvoice.viettel.vn`` in production, or
``http://127.0.0.1:PORT/sandbox/sinvoice`` for the sandbox; the client adds the provider's real paths
(``/services/einvoiceapplication/api/InvoiceAPI/...`` and ``/auth/login``); a base URL written with
the API path is taken as its host root.

Auth: HTTP Basic on every call (the documented default), or ``auth="token"`` to log in at ``/auth/login``
and send ``Cookie: access_token=…`` (the token lives ~5 minutes, so a 401 triggers one re-login).

Never issue twice: S-Invoice returns the already-issued invoice for a repeated ``transactionUuid``; after a
timeout (``RetryableError``) the job must call ``search_by_transaction_uuid`` before trying again — and
not before ``QUIET_SECONDS`` have passed (research C.3: overlapping duplicates can create two invoices).

Issue time: ``issued_at`` is S-Invoice's own ``issueDate`` from its register. ``createInvoice`` answers
without it (C.4), so the client reads the register once right after issuing; if that read fails,
``issued_at`` is None and the caller records when its request went out. OrderHub never sends its own
``invoiceIssuedDate``: the server stamps the invoice.
``InvoiceNumberNotCotinuous`` (two issues overlapping on one series) is retryable: issue one at a time
per series.
"""
from __future__ import annotations

import base64
from datetime import datetime
from decimal import Decimal

import httpx

from app.integrations.base import AuthError, HttpClient, NotFound, PermanentError, RetryableError
from app.integrations.einvoice.common import IssuedInvoice, from_epoch_ms, split_invoice_no, to_epoch_ms
from app.services.invoice_rules import (ADJUSTMENT, PAYMENT_METHODS, REPLACEMENT, VAT_INVOICE,
                                        ComputedInvoice, Seller)

PRODUCTION_URL = "https://api-vinvoice.viettel.vn"
API_PREFIX = "/services/einvoiceapplication/api"
ADJUSTMENT_TYPES = {None: "1", REPLACEMENT: "3", ADJUSTMENT: "5"}
RETRYABLE_CODES = {"InvoiceNumberNotCotinuous", "InvoiceDuplicated"}
QUIET_SECONDS = 90   # wait at least this long after an unanswered createInvoice before asking again


def _number(value: Decimal | int):
    """JSON has one number type: whole values go as int, fractional quantities/prices as their decimal."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _pos(value: int) -> bool:
    return value >= 0


def build_sinvoice_payload(invoice: ComputedInvoice, seller: Seller, *, transaction_uuid: str,
                           template_code: str, issued_at: datetime | None = None,
                           payment_status: bool = False, original_template_code: str | None = None,
                           order_code: str = "") -> dict:
    """The ``createInvoice`` body (research C.3) for an original, replacement or adjustment.

    ``issued_at=None`` lets the server stamp the time (it must not be earlier than the series' last
    invoice). ``payment_status``: whether the buyer has paid (an unpaid COD order is ``False``). Adjustments send absolute amounts with ``isIncreaseItem``/``…Pos`` flags, as S-Invoice wants.
    """
    ref = invoice.reference
    adjustment = ref is not None and ref.kind == ADJUSTMENT
    general = {
        "invoiceType": str(invoice.template), "templateCode": template_code,
        "invoiceSeries": invoice.series, "currencyCode": invoice.currency, "exchangeRate": 1,
        "adjustmentType": ADJUSTMENT_TYPES[ref.kind if ref else None],
        "paymentStatus": payment_status, "cusGetInvoiceRight": True,
        "transactionUuid": transaction_uuid,
        "invoiceIssuedDate": to_epoch_ms(issued_at) if issued_at else None,
    }
    if invoice.note or order_code:
        general["invoiceNote"] = invoice.note or f"Đơn {order_code}"
    if ref:
        general.update({
            "originalInvoiceId": f"{ref.series}{ref.number}",
            "originalInvoiceIssueDate": to_epoch_ms(ref.issued_on),
            "originalTemplateCode": original_template_code or
            (template_code if ref.template == invoice.template else f"{ref.template}/001"),
            "originalInvoiceType": "1",
            "adjustedNote": ref.reason,
        })
        # The agreement (biên bản) or notice document the correction rests on: S-Invoice requires it
        # for 3/5 (research C.3), so OrderHub's form asks for it; nothing is invented when absent.
        if ref.agreement:
            general["additionalReferenceDesc"] = ref.agreement
            general["additionalReferenceDate"] = to_epoch_ms(ref.agreement_date or invoice.issue_date)
        if adjustment:
            general["adjustmentInvoiceType"] = "1"
    buyer = invoice.buyer
    buyer_info = {"buyerName": buyer.name or buyer.legal_name, "buyerNotGetInvoice": int(buyer.is_consumer)}
    for key, value in (("buyerLegalName", buyer.legal_name), ("buyerTaxCode", buyer.tax_code),
                       ("buyerAddressLine", buyer.address), ("buyerPhoneNumber", buyer.phone),
                       ("buyerEmail", buyer.email), ("buyerCode", buyer.code)):
        if value:
            buyer_info[key] = value
    if buyer.id_number:
        buyer_info.update({"buyerIdType": "1", "buyerIdNo": buyer.id_number})
    items = []
    for line in invoice.lines:
        item = {"lineNumber": line.line_number, "selection": 1, "itemCode": line.code or None,
                "itemName": line.name, "unitName": line.unit, "unitPrice": _number(line.unit_price),
                "quantity": _number(line.quantity), "itemDiscount": abs(line.discount),
                "itemTotalAmountWithoutTax": abs(line.amount)}
        if invoice.template == VAT_INVOICE:
            item.update({"taxPercentage": line.vat_rate.sinvoice_percentage, "taxAmount": abs(line.tax),
                         "itemTotalAmountWithTax": abs(line.total)})
        if adjustment:
            item["isIncreaseItem"] = not line.decrease
        items.append(item)
    breakdowns = []
    for row in invoice.breakdown:
        entry = {"taxPercentage": row.vat_rate.sinvoice_percentage,
                 "taxableAmount": abs(row.taxable_amount), "taxAmount": abs(row.tax_amount)}
        if adjustment:
            entry.update({"taxableAmountPos": _pos(row.taxable_amount), "taxAmountPos": _pos(row.tax_amount)})
        breakdowns.append(entry)
    summary = {"sumOfTotalLineAmountWithoutTax": abs(invoice.subtotal),
               "totalAmountWithoutTax": abs(invoice.subtotal), "totalTaxAmount": abs(invoice.vat_total),
               "totalAmountWithTax": abs(invoice.total),
               "totalAmountWithTaxInWords": invoice.amount_in_words,
               "discountAmount": abs(invoice.discount_total)}
    if adjustment:
        summary.update({"isTotalAmountPos": _pos(invoice.total), "isTotalTaxAmountPos": _pos(invoice.vat_total),
                        "isTotalAmtWithoutTaxPos": _pos(invoice.subtotal)})
    return {
        "generalInvoiceInfo": general, "buyerInfo": buyer_info,
        "sellerInfo": {"sellerLegalName": seller.name, "sellerTaxCode": seller.tax_code,
                       "sellerAddressLine": seller.address, "sellerPhoneNumber": seller.phone or None,
                       "sellerEmail": seller.email or None, "sellerBankAccount": seller.bank_account or None,
                       "sellerBankName": seller.bank_name or None},
        "payments": [{"paymentMethod": PAYMENT_METHODS[invoice.payment_method],
                      "paymentMethodName": invoice.payment_method}],
        "itemInfo": items, "taxBreakdowns": breakdowns, "summarizeInfo": summary,
    }


class SInvoiceClient(HttpClient):
    system = "sinvoice"
    # A correction without a written agreement still names the notice sent to the buyer.
    needs_agreement_reference = True
    base_suffixes = (API_PREFIX, "/services/einvoiceapplication")

    def __init__(self, base_url: str, username: str, password: str, supplier_tax_code: str, *,
                 auth: str = "basic", transport: httpx.BaseTransport | None = None,
                 client: httpx.Client | None = None, timeout=None, on_exchange=None):
        super().__init__(base_url, transport=transport, client=client, timeout=timeout,
                         on_exchange=on_exchange)
        if auth not in ("basic", "token"):
            raise ValueError("auth is 'basic' or 'token'")
        self.username, self.password = username, password
        self.supplier_tax_code = supplier_tax_code
        self.auth = auth
        self._token: str | None = None

    build_payload = staticmethod(build_sinvoice_payload)

    # ------------------------------------------------------------------------------------ auth

    def login(self) -> str:
        """Get a short-lived ``access_token`` from ``/auth/login`` (auth="token" mode)."""
        request = self._http.build_request("POST", f"{self.base_url}/auth/login",
                                           json={"username": self.username, "password": self.password})
        response = self._send(request, "auth/login")
        self._raise_for_http(response)
        body = self._json(response)
        if response.status_code != 200 or not body.get("access_token"):
            raise AuthError(self._message(body) or "S-Invoice refused the login", provider=self.system,
                            code=str(body.get("code") or body.get("error") or response.status_code),
                            status=response.status_code, response=body)
        self._token = body["access_token"]
        return self._token

    def _call(self, path: str, *, json=None, data=None, retry_auth: bool = True) -> dict:
        url = f"{self.base_url}{API_PREFIX}/{path}"
        headers = {}
        auth = None
        if self.auth == "basic":
            auth = httpx.BasicAuth(self.username, self.password)
        else:
            headers["Cookie"] = f"access_token={self._token or self.login()}"
        request = self._http.build_request("POST", url, json=json, data=data, headers=headers)
        if auth is not None:
            request = next(auth.auth_flow(request))
        response = self._send(request, path.split("/")[2] if path.count("/") >= 2 else path)
        if response.status_code == 401 and self.auth == "token" and retry_auth:
            self._token = None
            return self._call(path, json=json, data=data, retry_auth=False)
        return self._check(response)

    # ------------------------------------------------------------------------------------ errors

    @staticmethod
    def _message(body) -> str:
        if not isinstance(body, dict):
            return str(body or "")
        return str(body.get("description") or body.get("message") or body.get("data") or "")

    def _check(self, response: httpx.Response) -> dict:
        """Map S-Invoice's three error shapes to typed errors, keeping ``errorCode``/``description``."""
        if response.status_code in (401, 403):
            body = self._json_or_text(response)
            raise AuthError(self._message(body) or "S-Invoice refused the credentials",
                            provider=self.system, code=str(response.status_code),
                            status=response.status_code, response=body)
        self._raise_for_http(response)
        body = self._json(response)
        if response.status_code == 404:
            raise NotFound(self._message(body) or "not found", provider=self.system, code="404",
                           status=404, response=body)
        if response.status_code >= 400:
            raise PermanentError(self._message(body), provider=self.system,
                                 code=str(body.get("message") or response.status_code),
                                 status=response.status_code, response=body)
        code = body.get("errorCode") if isinstance(body, dict) else None
        if code:
            error = RetryableError if code in RETRYABLE_CODES else PermanentError
            raise error(self._message(body) or code, provider=self.system, code=str(code),
                        status=response.status_code, response=body)
        return body

    def _json_or_text(self, response: httpx.Response):
        try:
            return response.json()
        except ValueError:
            return response.text

    # ------------------------------------------------------------------------------------ calls

    def create_invoice(self, payload: dict) -> IssuedInvoice:
        """Issue an original (adjustmentType 1), replacement (3) or adjustment (5)."""
        body = self._call(f"InvoiceAPI/InvoiceWS/createInvoice/{self.supplier_tax_code}", json=payload)
        result = body.get("result") or {}
        general = payload.get("generalInvoiceInfo", {})
        series, number = split_invoice_no(result.get("invoiceNo") or "")
        issued = IssuedInvoice(
            provider=self.system, template=str(general.get("invoiceType", "")),
            series=series or general.get("invoiceSeries", ""), number=number,
            transaction_key=general.get("transactionUuid", ""),
            issued_at=from_epoch_ms(result.get("issueDate")),
            tax_authority_code=result.get("codeOfTax"), lookup_code=result.get("reservationCode"),
            provider_id=result.get("transactionID"), status="issued",
            template_code=general.get("templateCode"), raw=body)
        if issued.issued_at is None and number is not None:
            try:
                registered = self.search_by_transaction_uuid(issued.transaction_key)
            except RetryableError:
                registered = None
            issued.issued_at = registered.issued_at if registered is not None else None
        return issued

    def search_by_transaction_uuid(self, transaction_uuid: str) -> IssuedInvoice | None:
        """The invoice issued under ``transaction_uuid``, or None if S-Invoice has none (safe to retry)."""
        body = self._call("InvoiceAPI/InvoiceWS/searchInvoiceByTransactionUuid",
                          data={"supplierTaxCode": self.supplier_tax_code,
                                "transactionUuid": transaction_uuid})
        results = body.get("result") or []
        if not results:
            return None
        found = results[0]
        series, number = split_invoice_no(found.get("invoiceNo") or "")
        template_code = found.get("templateCode")
        return IssuedInvoice(
            provider=self.system, template=(template_code or "").split("/")[0], series=series,
            number=number, transaction_key=transaction_uuid,
            issued_at=from_epoch_ms(found.get("issueDate")), tax_authority_code=found.get("codeOfTax"),
            lookup_code=found.get("reservationCode"), provider_id=found.get("transactionID"),
            status=found.get("status"), template_code=template_code, raw=found)

    def check_connection(self, **_) -> dict:
        """Look up a transaction key no invoice has: it needs the credentials (and a sign-in in
        token mode) and the supplier tax code, and issues nothing."""
        self.search_by_transaction_uuid("orderhub-connection-check")
        return {}

    def get_pdf(self, invoice_no: str, template_code: str, transaction_uuid: str = "",
                file_type: str = "PDF") -> bytes:
        """The provider's PDF (or ZIP of XML+XSL) of an issued invoice, via getInvoiceRepresentationFile."""
        body = self._call("InvoiceAPI/InvoiceUtilsWS/getInvoiceRepresentationFile",
                          json={"supplierTaxCode": self.supplier_tax_code, "invoiceNo": invoice_no,
                                "templateCode": template_code, "transactionUuid": transaction_uuid,
                                "fileType": file_type})
        data = body.get("fileToBytes")
        if not data:
            raise NotFound(self._message(body) or "S-Invoice sent no file", provider=self.system,
                           code="no_file", response=body)
        return base64.b64decode(data)

    # EInvoiceProvider protocol (app.integrations.base)
    def issue(self, payload: dict) -> IssuedInvoice:
        return self.create_invoice(payload)

    def find_by_key(self, key: str) -> IssuedInvoice | None:
        return self.search_by_transaction_uuid(key)

    def pdf(self, invoice: IssuedInvoice) -> bytes:
        return self.get_pdf(invoice.invoice_no, invoice.template_code or f"{invoice.template}/001",
                            invoice.transaction_key)
