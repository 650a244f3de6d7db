"""What every integration client shares: typed errors, the wire log hook, and the kinds' interfaces.

Errors are split the way a job needs them: a ``RetryableError`` (timeout, 5xx, 429, a provider's
rate-limit code) is worth trying again later; a ``PermanentError`` (validation, auth, signature) is
not, and its ``message`` is the provider's own words, kept for the user.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

import httpx

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class IntegrationError(Exception):
    """A call to an external system failed. ``message`` is fit to show a user."""

    retryable = False

    def __init__(self, message: str, *, provider: str = "", code: str | None = None,
                 status: int | None = None, response: Any = None):
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.code = code
        self.status = status
        self.response = response

    def __str__(self) -> str:
        parts = [self.provider, self.code]
        prefix = " ".join(p for p in parts if p)
        return f"{prefix}: {self.message}" if prefix else self.message


class RetryableError(IntegrationError):
    """Timeout, connection failure, 5xx, 429 or a rate-limit code: try again later."""

    retryable = True


class PermanentError(IntegrationError):
    """The provider refused the request (validation, business rule): retrying the same call won't help."""


class AuthError(PermanentError):
    """Credentials, token or signature refused."""


class NotFound(PermanentError):
    """The provider has no such record."""


@dataclass
class Exchange:
    """One request/response pair, as handed to ``on_exchange`` for the integration log."""

    system: str
    method: str
    url: str
    endpoint: str
    request_body: Any
    status: int | None
    response_body: Any
    duration_ms: int
    error: str | None = None
    direction: str = "out"
    request_headers: dict = field(default_factory=dict)


ExchangeHook = Callable[[Exchange], None]


def body_for_log(content: bytes | str | None) -> Any:
    """Decode a body for the log: JSON when it parses, text otherwise, a marker for binary data."""
    if content is None:
        return None
    if isinstance(content, bytes):
        if content[:4] == b"%PDF":
            return f"<pdf {len(content)} bytes>"
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            return f"<binary {len(content)} bytes>"
    try:
        return json.loads(content)
    except (ValueError, TypeError):
        return content[:20000]


def api_root(url: str | None, suffixes: tuple[str, ...] = ()) -> str:
    """``url`` as the host root the client adds its own paths to: spaces and trailing slashes
    dropped, and a path the client appends itself (``/api/integration``, ``/v2``…) taken off the
    end when the documentation's form of the address already carries it."""
    root = (url or "").strip().rstrip("/")
    for suffix in suffixes:
        if root.lower().endswith(suffix.lower()):
            return root[:-len(suffix)].rstrip("/")
    return root


class HttpClient:
    """Base for the provider clients: owns the httpx client, timeouts and the exchange hook.

    Subclasses call ``self._send(request)`` with a fully built (and signed) ``httpx.Request`` so the
    bytes that were signed are the bytes that are sent. ``base_suffixes``: the path prefixes a
    client adds to every call, which a base URL may carry or not (both are accepted).
    """

    system = "generic"
    base_suffixes: tuple[str, ...] = ()

    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None,
                 client: httpx.Client | None = None, timeout: httpx.Timeout | float | None = None,
                 on_exchange: ExchangeHook | None = None):
        self.base_url = api_root(base_url, self.base_suffixes)
        self._own_client = client is None
        self._http = client or httpx.Client(transport=transport, timeout=timeout or DEFAULT_TIMEOUT)
        self.on_exchange = on_exchange

    def close(self) -> None:
        if self._own_client:
            self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _send(self, request: httpx.Request, endpoint: str | None = None) -> httpx.Response:
        started = time.monotonic()
        endpoint = endpoint or request.url.path
        response = None
        error = None
        try:
            response = self._http.send(request)
            return response
        except httpx.TimeoutException as exc:
            error = f"timeout: {exc.__class__.__name__}"
            raise RetryableError(f"{self.system} did not answer in time", provider=self.system,
                                 code="timeout") from exc
        except httpx.TransportError as exc:
            error = f"transport: {exc}"
            raise RetryableError(f"could not reach {self.system}: {exc}", provider=self.system,
                                 code="connection") from exc
        finally:
            if self.on_exchange is not None:
                self.on_exchange(Exchange(
                    system=self.system, method=request.method, url=str(request.url),
                    endpoint=endpoint, request_body=body_for_log(request.content),
                    status=response.status_code if response is not None else None,
                    response_body=body_for_log(response.content) if response is not None else None,
                    duration_ms=int((time.monotonic() - started) * 1000), error=error,
                    request_headers=dict(request.headers)))

    def _raise_for_http(self, response: httpx.Response) -> None:
        """Map transport-level HTTP failures (5xx, 429) to RetryableError; other codes are the caller's."""
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(
                f"{self.system} answered HTTP {response.status_code}", provider=self.system,
                code=str(response.status_code), status=response.status_code,
                response=body_for_log(response.content))

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise RetryableError(f"{self.system} sent a body that is not JSON",
                                 provider=self.system, code="malformed",
                                 status=response.status_code,
                                 response=body_for_log(response.content)) from exc


class MarketplaceClient(Protocol):
    """What the channel sync services need from a marketplace (Shopee, Lazada, TikTok Shop)."""

    def authorization_url(self, redirect_url: str, state: str = "") -> str: ...
    def exchange_code(self, code: str, **kwargs) -> "TokenSet": ...
    def refresh_token(self, refresh_token: str, **kwargs) -> "TokenSet": ...


@dataclass
class TokenSet:
    access_token: str
    refresh_token: str
    access_expires_at: int  # unix seconds
    refresh_expires_at: int | None = None
    shop_id: str | None = None
    extra: dict = field(default_factory=dict)


class Carrier(Protocol):
    """What the shipping services need from a carrier (GHN, Viettel Post)."""

    def quote(self, request) -> list: ...
    def create_shipment(self, request) -> Any: ...
    def cancel(self, tracking_number: str) -> None: ...
    def label(self, tracking_numbers: list[str]) -> bytes: ...


class EInvoiceProvider(Protocol):
    """What the invoicing services need from an e-invoice provider (S-Invoice, MISA)."""

    def issue(self, invoice) -> Any: ...
    def find_by_key(self, key: str) -> Any: ...
    def pdf(self, invoice) -> bytes: ...
