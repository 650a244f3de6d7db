"""MISA meInvoice client (research D): token, issue with ``RefID``, status by RefID, PDF download.

``base_url`` is the host root: ``https://testapi.meinvoice.vn`` (test), ``https://api.meinvoice.vn``
(production) or ``http://127.0.0.1:PORT/sandbox/misa``; the client adds ``/api/integration/...``
(a base URL written with ``/api/integration``, as MISA's documents do, is taken as its host root).

Idempotency: MISA answers a repeated ``RefID`` with ``DuplicateRefID``/``DuplicateInvoiceRefID``; D.4 says
"query status by RefID and sync", which ``issue_invoice`` does, so a retried issue returns the invoice
already issued instead of failing. A duplicate whose status cannot be found yet is *retryable*, never a
refusal: MISA holds an invoice under that RefID, and a refusal would let a new key issue a second one.
After a timeout, call ``find_by_ref_id`` before retrying.

Issue time: ``issued_at`` is MISA's ``PublishedTime`` (its status record); the publish answer carries only
the day (``InvDate``), so the client reads the status once right after publishing. If that read fails,
``issued_at`` is None and the caller records when its request went out.
``InvoiceNumberNotCotinuous``/``InvoiceDuplicated`` are retryable: issue one at a time per series.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime

import httpx

from app.integrations.base import AuthError, HttpClient, NotFound, PermanentError, RetryableError
from app.integrations.einvoice.common import VN_TZ, IssuedInvoice
from app.services.invoice_rules import REPLACEMENT, VAT_INVOICE, ComputedInvoice

TEST_URL = "https://testapi.meinvoice.vn"
PRODUCTION_URL = "https://api.meinvoice.vn"
PREFIX = "/api/integration"
AUTH_CODES = {"InvalidAppID", "InActiveAppID", "UnAuthorize", "TokenExpiredCode", "InvalidTokenCode"}
RETRYABLE_CODES = {"InvoiceNumberNotCotinuous", "InvoiceDuplicated", "Exception"}
DUPLICATE_CODES = {"DuplicateRefID", "DuplicateInvoiceRefID"}
FLAGS = "invoiceWithCode=true&invoiceCalcu=false"


def _qty(value):
    """JSON has one number type: whole quantities/prices go as int, fractional ones as their decimal."""
    return int(value) if value == value.to_integral_value() else float(value)


def build_misa_invoice_data(invoice: ComputedInvoice, *, ref_id: str, send_email: bool = False,
                            order_code: str = "") -> dict:
    """One ``InvoiceData`` item (research D.3). Adjustment decreases carry negative quantities/amounts, so
    one adjustment may increase some lines and decrease others."""
    buyer = invoice.buyer
    details = []
    for line in invoice.lines:
        sign = -1 if line.decrease else 1
        details.append({
            "ItemType": 1, "SortOrder": line.line_number, "LineNumber": line.line_number,
            "ItemCode": line.code or None, "ItemName": line.name, "UnitName": line.unit,
            "Quantity": _qty(sign * line.quantity), "UnitPrice": _qty(line.unit_price),
            "AmountOC": line.gross_amount, "Amount": line.gross_amount, "DiscountRate": 0,
            "DiscountAmountOC": line.discount, "DiscountAmount": line.discount,
            "AmountWithoutVATOC": line.amount, "AmountWithoutVAT": line.amount,
            "VATRateName": line.vat_rate.misa_name if line.vat_rate else None,
            "VATAmountOC": line.tax, "VATAmount": line.tax,
        })
    data = {
        "RefID": ref_id, "InvSeries": f"{invoice.template}{invoice.series}",
        "InvDate": invoice.issue_date.isoformat(), "CurrencyCode": invoice.currency, "ExchangeRate": 1,
        "PaymentMethodName": invoice.payment_method, "IsInvoiceSummary": False,
        "IsSendEmail": send_email and bool(buyer.email), "ReceiverName": buyer.display_name,
        "ReceiverEmail": buyer.email or None,
        "BuyerLegalName": buyer.legal_name or None, "BuyerTaxCode": buyer.tax_code or None,
        "BuyerAddress": buyer.address or None, "BuyerFullName": buyer.name or None,
        "BuyerPhoneNumber": buyer.phone or None, "BuyerEmail": (buyer.email.split(";")[0] or None),
        "BuyerCode": buyer.code or None, "BuyerIDNumber": buyer.id_number or None,
        "BuyerOrderCode": order_code or None,
        "TotalSaleAmountOC": invoice.gross_total, "TotalSaleAmount": invoice.gross_total,
        "TotalDiscountAmountOC": invoice.discount_total, "TotalDiscountAmount": invoice.discount_total,
        "TotalAmountWithoutVATOC": invoice.subtotal, "TotalAmountWithoutVAT": invoice.subtotal,
        "TotalVATAmountOC": invoice.vat_total, "TotalVATAmount": invoice.vat_total,
        "TotalAmountOC": invoice.total, "TotalAmount": invoice.total,
        "TotalAmountInWords": invoice.amount_in_words,
        "OriginalInvoiceDetail": details,
        "TaxRateInfo": [{"VATRateName": b.vat_rate.misa_name, "AmountWithoutVATOC": b.taxable_amount,
                         "VATAmountOC": b.tax_amount} for b in invoice.breakdown]
        if invoice.template == VAT_INVOICE else None,
        "OptionUserDefined": {"MainCurrency": "VND", "AmountDecimalDigits": "0", "AmountOCDecimalDigits": "0",
                              "QuantityDecimalDigits": "2", "UnitPriceOCDecimalDigits": "2"},
    }
    if invoice.reference:
        ref = invoice.reference
        data.update({"ReferenceType": 1 if ref.kind == REPLACEMENT else 2, "OrgInvoiceType": 1,
                     "OrgInvTemplateNo": str(ref.template), "OrgInvSeries": ref.series,
                     "OrgInvNo": f"{ref.number:08d}", "OrgInvDate": ref.issued_on.isoformat(),
                     "InvoiceNote": ref.reason or invoice.note or None})
    elif invoice.note:
        data["InvoiceNote"] = invoice.note
    return data


class MisaClient(HttpClient):
    system = "misa"
    needs_agreement_reference = False  # only a business buyer's agreement is asked for
    base_suffixes = (PREFIX,)  # README and MISA's documents write the base with it

    def __init__(self, base_url: str, app_id: str, tax_code: str, username: str, password: str, *,
                 sign_type: int = 2, certificate_sn: str = "", transport: httpx.BaseTransport | None = None,
                 client: httpx.Client | None = None, timeout=None, on_exchange=None):
        super().__init__(base_url, transport=transport, client=client, timeout=timeout,
                         on_exchange=on_exchange)
        self.app_id, self.tax_code = app_id, tax_code
        self.username, self.password = username, password
        self.sign_type, self.certificate_sn = sign_type, certificate_sn
        self._token: str | None = None

    build_invoice_data = staticmethod(build_misa_invoice_data)

    # ------------------------------------------------------------------------------------ transport

    def token(self) -> str:
        """A Bearer token from ``/auth/token`` (valid 14 days; cached on the client)."""
        request = self._http.build_request("POST", f"{self.base_url}{PREFIX}/auth/token", json={
            "appid": self.app_id, "taxcode": self.tax_code, "username": self.username,
            "password": self.password})
        response = self._send(request, "auth/token")
        self._raise_for_http(response)
        body = self._json(response)
        if not body.get("Success") or not body.get("Data"):
            raise AuthError(self._message(body) or "MISA refused the credentials", provider=self.system,
                            code=body.get("ErrorCode") or str(response.status_code),
                            status=response.status_code, response=body)
        self._token = body["Data"]
        return self._token

    def _call(self, path: str, body, *, retry_auth: bool = True) -> dict:
        headers = {"Authorization": f"Bearer {self._token or self.token()}", "CompanyTaxCode": self.tax_code}
        request = self._http.build_request("POST", f"{self.base_url}{PREFIX}{path}", json=body, headers=headers)
        response = self._send(request, path.split("?")[0].strip("/"))
        self._raise_for_http(response)
        result = self._json(response)
        code = self._code(result)
        if (response.status_code == 401 or code in ("TokenExpiredCode", "InvalidTokenCode")) and retry_auth:
            self._token = None
            return self._call(path, body, retry_auth=False)
        if response.status_code in (401, 403) or code in AUTH_CODES:
            raise AuthError(self._message(result) or "MISA refused the token", provider=self.system,
                            code=code or str(response.status_code), status=response.status_code,
                            response=result)
        if response.status_code >= 400 or not self._success(result):
            error = RetryableError if code in RETRYABLE_CODES else PermanentError
            raise error(self._message(result) or code or f"HTTP {response.status_code}", provider=self.system,
                        code=code or str(response.status_code), status=response.status_code, response=result)
        return result

    @staticmethod
    def _success(body) -> bool:
        return isinstance(body, dict) and bool(body.get("success", body.get("Success")))

    @staticmethod
    def _code(body) -> str | None:
        if not isinstance(body, dict):
            return None
        return body.get("errorCode") or body.get("ErrorCode") or None

    @staticmethod
    def _message(body) -> str:
        if not isinstance(body, dict):
            return str(body or "")
        errors = body.get("errors") or body.get("Errors") or []
        return str(body.get("descriptionErrorCode") or body.get("DescriptionErrorCode")
                   or "; ".join(map(str, errors)) or body.get("errorCode") or body.get("ErrorCode") or "")

    @staticmethod
    def _list(value) -> list:
        """MISA sometimes sends lists as JSON text inside ``data``; accept both."""
        if isinstance(value, str):
            value = json.loads(value or "[]")
        return value or []

    # ------------------------------------------------------------------------------------ calls

    def issue_invoice(self, invoice_data: dict) -> IssuedInvoice:
        """Issue one invoice (SignType 2, HSM on MISA's side). A duplicate RefID returns the issued one."""
        body = self._call("/invoice", {"SignType": self.sign_type, "CertificateSN": self.certificate_sn,
                                       "InvoiceData": [invoice_data], "PublishInvoiceData": None})
        results = self._list(body.get("publishInvoiceResult"))
        if not results:
            raise RetryableError("MISA sent no publish result", provider=self.system, code="malformed",
                                 response=body)
        item = results[0]
        code = item.get("ErrorCode")
        if code in DUPLICATE_CODES:
            found = self.find_by_ref_id(invoice_data["RefID"])
            if found is not None:
                return found
            raise RetryableError(f"MISA already holds an invoice under RefID {invoice_data['RefID']} but "
                                 "does not show it yet", provider=self.system, code=code, response=item)
        if code:
            error = RetryableError if code in RETRYABLE_CODES else PermanentError
            raise error(item.get("DescriptionErrorCode") or code, provider=self.system, code=code, response=item)
        issued = self._issued(item, invoice_data["RefID"])
        if not item.get("PublishedTime"):
            try:
                published = self.find_by_ref_id(invoice_data["RefID"])
            except RetryableError:
                published = None
            issued.issued_at = published.issued_at if published is not None else None
        return issued

    def find_by_ref_id(self, ref_id: str) -> IssuedInvoice | None:
        """The invoice issued under ``ref_id`` (``/invoice/status``, inputType 2), or None."""
        body = self._call(f"/invoice/status?{FLAGS}&inputType=2", [ref_id])
        for item in self._list(body.get("data")):
            if item.get("RefID") == ref_id and str(item.get("PublishStatus")) == "1":
                return self._issued(item, ref_id)
        return None

    def download_pdf(self, transaction_id: str) -> bytes:
        """The provider's PDF of an issued invoice, by its TransactionID (mã tra cứu)."""
        body = self._call(f"/invoice/download?{FLAGS}&downloadDataType=pdf", [transaction_id])
        for item in self._list(body.get("data")):
            if item.get("TransactionID") == transaction_id and item.get("Data"):
                return base64.b64decode(item["Data"])
        raise NotFound(f"MISA has no PDF for {transaction_id}", provider=self.system, code="no_file",
                       response=body)

    def templates(self, year: int) -> list[dict]:
        """Registered templates/series for ``year`` (GET-style listing, sent as POST-less query)."""
        headers = {"Authorization": f"Bearer {self._token or self.token()}", "CompanyTaxCode": self.tax_code}
        request = self._http.build_request(
            "GET", f"{self.base_url}{PREFIX}/invoice/templates?invoiceWithCode=true&ticket=false&year={year}",
            headers=headers)
        response = self._send(request, "invoice/templates")
        self._raise_for_http(response)
        return self._list(self._json(response).get("data"))

    def check_connection(self, year: int | None = None, **_) -> dict:
        """A token for the credentials, then the series MISA has registered for ``year``."""
        year = year or datetime.now(VN_TZ).year
        return {"series": sorted(str(t.get("InvSeries") or "") for t in self.templates(year)
                                 if not t.get("Inactive"))}

    def _issued(self, item: dict, ref_id: str) -> IssuedInvoice:
        full = item.get("InvSeries") or ""
        number = str(item.get("InvNo") or "")
        issued = item.get("PublishedTime")
        return IssuedInvoice(
            provider=self.system, template=str(item.get("InvTemplateNo") or full[:1]), series=full[-6:],
            number=int(number) if number.isdigit() else None, transaction_key=ref_id,
            issued_at=datetime.fromisoformat(issued).replace(tzinfo=VN_TZ) if issued else None,
            tax_authority_code=item.get("InvCode") or item.get("InvoiceCode"),
            lookup_code=item.get("TransactionID"), provider_id=item.get("TransactionID"),
            status=str(item.get("EInvoiceStatus", "issued")), raw=item)

    # EInvoiceProvider protocol (app.integrations.base)
    def issue(self, invoice_data: dict) -> IssuedInvoice:
        return self.issue_invoice(invoice_data)

    def find_by_key(self, key: str) -> IssuedInvoice | None:
        return self.find_by_ref_id(key)

    def pdf(self, invoice: IssuedInvoice) -> bytes:
        return self.download_pdf(invoice.provider_id or invoice.lookup_code)
