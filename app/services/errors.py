"""Typed domain errors. Each carries a message a clerk can read; views flash it, the API returns it.

The API maps them to status codes in one place (``app.api.errors``): a ``ValidationError`` is 422,
``NotFound`` 404, ``PermissionDenied`` 403, everything else that refuses an action is 409.
"""
from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the action."""

    http_status = 409

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError):
    """Input breaks a rule; ``field`` names the input at fault."""

    http_status = 422

    def __init__(self, field: str, message: str, **details):
        super().__init__(message, field=field, **details)
        self.field = field

    @property
    def errors(self) -> dict:
        return {self.field: [self.message]}


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

    def __init__(self, action: str, state: str, record: str = "order"):
        super().__init__(f"Cannot {action} this {record}: it is {state.replace('_', ' ')}.",
                         action=action, state=state)
        self.action = action
        self.state = state


class StaleVersion(DomainError):
    """Optimistic locking: the record changed since the user opened it."""

    def __init__(self, record: str = "record"):
        super().__init__(f"This {record} was changed by someone else since you opened it. "
                         "Reload it and make your change again.")


class InsufficientStock(DomainError):
    def __init__(self, sku: str, warehouse: str, requested: int, available: int):
        super().__init__(f"Not enough stock of {sku} in {warehouse}: {requested} requested, "
                         f"{available} available.", sku=sku, warehouse=warehouse,
                         requested=requested, available=available)
        self.requested = requested
        self.available = available


class InvalidTaxCode(ValidationError):
    def __init__(self, field: str, message: str):
        super().__init__(field, message)


class ImmutableRecord(DomainError):
    """Issued documents and ledger entries are never edited; corrections are new records."""
