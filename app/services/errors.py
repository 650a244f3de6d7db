"""Typed domain errors. Each carries a message a clerk can read; views flash it, the API returns it.

The API maps them to status codes in one place (``app.api.errors``): a ``ValidationError`` is 422,
``NotFound`` 404, ``PermissionDenied`` 403, everything else that refuses an action is 409.
"""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it here: services know nothing of
    Flask or of the reader's language. The web layer looks the message up in the reader's catalogue
    (``app.web.i18n.error_text``). Write it with ``%(name)s`` placeholders filled from the error's
    details, so the catalogue holds one entry per message, not one per value."""
    return message


class DomainError(Exception):
    """A business rule refused the action.

    ``message`` is the English text, a template with ``%(name)s`` placeholders filled from
    ``details``; ``template`` keeps it unfilled for translation. Details named in ``translatable``
    are words of our own vocabulary (an action, a state) and are translated too.
    """

    http_status = 409
    translatable: tuple[str, ...] = ()

    def __init__(self, message: str, /, **details):
        self.template = message
        self.details = details
        self.message = fill(message, details)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def fill(template: str, params: dict) -> str:
    """``template % params`` when it has placeholders; the template itself when it has none (or
    does not fit the params: a message is never lost to a formatting slip)."""
    if not params or "%(" not in template:
        return template
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return template


class ValidationError(DomainError):
    """Input breaks a rule; ``field`` names the input at fault."""

    http_status = 422

    def __init__(self, field: str, message: str, /, **details):
        # Positional-only, so a message may have a %(field)s placeholder of its own.
        super().__init__(message, **{"field": field, **details})
        self.field = field

    @property
    def errors(self) -> dict:
        return {self.field: [self.message]}


class FieldMessage(str):
    """One message of a ``ValidationErrors`` list: the English text (a plain ``str`` to every caller)
    that also keeps its ``N_`` template and values, so the web layer can show it in the reader's
    language (``app.web.i18n.translate``)."""

    template: str
    details: dict
    translatable: tuple[str, ...]

    def __new__(cls, message: str, *, translatable: tuple[str, ...] = (), **details):
        obj = super().__new__(cls, fill(message, details))
        obj.template, obj.details, obj.translatable = message, details, translatable
        return obj


class ValidationErrors(DomainError):
    """Several fields at fault at once: ``errors`` maps each field to its messages."""

    http_status = 422

    def __init__(self, errors: dict[str, list[str]]):
        summary = "; ".join(f"{f}: {', '.join(m)}" for f, m in errors.items())
        super().__init__(summary, errors=errors)
        self.errors = errors


class NotFound(DomainError):
    http_status = 404


class PermissionDenied(DomainError):
    http_status = 403


class InvalidTransition(DomainError):
    """The action is not allowed from the record's current state."""

    translatable = ("action", "record", "state")

    def __init__(self, action: str, state: str, record: str = "order"):
        super().__init__(N_("Cannot %(action)s this %(record)s: it is %(state)s."),
                         action=action.replace("_", " "), state=state.replace("_", " "),
                         record=record.replace("_", " "))
        self.action = action
        self.state = state


class StaleVersion(DomainError):
    """Optimistic locking: the record changed since the user opened it."""

    translatable = ("record",)

    def __init__(self, record: str = "record"):
        super().__init__(N_("This %(record)s was changed by someone else since you opened it. "
                            "Reload it and make your change again."), record=record)


class InsufficientStock(DomainError):
    def __init__(self, sku: str, warehouse: str, requested: int, available: int):
        super().__init__(N_("Not enough stock of %(sku)s in %(warehouse)s: %(requested)s "
                            "requested, %(available)s available."), sku=sku, warehouse=warehouse,
                         requested=requested, available=available)
        self.requested = requested
        self.available = available


class InvalidTaxCode(ValidationError):
    translatable = ("name",)

    def __init__(self, field: str, message: str, **details):
        super().__init__(field, message, **details)


class ImmutableRecord(DomainError):
    """Issued documents and ledger entries are never edited; corrections are new records."""
