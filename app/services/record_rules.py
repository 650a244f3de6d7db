"""Rules on a record's own fields, checked wherever a person or a program edits it directly (the
panel's forms and the REST API): phone numbers, e-mail addresses and tax codes are valid, and stored
in one normal form, so that search, carriers and e-invoices can rely on them.

Imports from marketplaces do not come through here: marketplaces mask buyers' phone numbers, and a
masked number is still worth keeping.
"""
from __future__ import annotations

from typing import Callable

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from app.models import Customer, CustomerAddress, Supplier, Warehouse
from app.services.errors import N_, FieldMessage, ValidationError, ValidationErrors
from app.services.phones import normalize_phone
from app.services.tax_code import normalize_tax_code


class BlankName(ValidationError):
    """A required name or code left empty (or only spaces): a bad request."""

    http_status = 400


def required_text(obj, field: str) -> None:
    """Trim ``obj.field``; refuse it empty."""
    value = getattr(obj, field, None)
    text = value.strip() if isinstance(value, str) else value
    if text in (None, ""):
        raise BlankName(field, N_("Required: it cannot be empty or only spaces."))
    if text != value:
        setattr(obj, field, text)


def _email(value: str, field: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError(field, N_("%(value)s is not an e-mail address (name@example.vn)."),
                              value=value) from None


def _apply(obj, rules: dict[str, Callable[[str, str], str]]) -> None:
    """Normalise each non-empty field with its rule; report every field at fault at once."""
    errors: dict[str, list[str]] = {}
    for field, rule in rules.items():
        value = getattr(obj, field, None)
        if value is None or not str(value).strip():
            if value is not None:
                setattr(obj, field, None)  # "" and spaces mean "not given"
            continue
        try:
            setattr(obj, field, rule(str(value), field))
        except ValidationError as exc:  # kept translatable: the form shows it in the reader's words
            errors.setdefault(field, []).append(FieldMessage(exc.template,
                                                             translatable=exc.translatable,
                                                             **exc.details))
    if errors:
        raise ValidationErrors(errors)


def _landline_or_mobile(value: str, field: str) -> str:
    return normalize_phone(value, field, mobile_only=False)


def check_customer(customer: Customer) -> None:
    _apply(customer, {"phone": _landline_or_mobile, "email": _email, "invoice_email": _email,
                      "tax_code": normalize_tax_code})
    if customer.tax_code and not (customer.company_name or "").strip():
        raise ValidationError("company_name", N_("A buyer with a tax code needs its legal name "
                                                 "(company name) for the e-invoice."))


def check_supplier(supplier: Supplier) -> None:
    _apply(supplier, {"phone": _landline_or_mobile, "email": _email,
                      "tax_code": lambda v, f: normalize_tax_code(v, f, allow_personal=False)})


def check_warehouse(warehouse: Warehouse) -> None:
    _apply(warehouse, {"phone": _landline_or_mobile})


def check_address(address: CustomerAddress) -> None:
    _apply(address, {"phone": normalize_phone})


RULES: dict[type, Callable] = {Customer: check_customer, Supplier: check_supplier,
                               Warehouse: check_warehouse, CustomerAddress: check_address}


def required_texts(obj) -> None:
    """Names, codes and every other required text are trimmed and never left blank (a warehouse
    code of spaces, an empty role or product name): refused naming the field."""
    table = getattr(type(obj), "__table__", None)
    for column in table.columns if table is not None else ():
        if column.nullable or column.primary_key or not isinstance(column.type, sa.String) \
                or isinstance(column.type, sa.Enum):
            continue
        key = sa.inspect(type(obj)).get_property_by_column(column).key
        if isinstance(getattr(obj, key, None), str):
            required_text(obj, key)


def check_record(obj) -> None:
    """Apply the field rules of ``obj``'s kind (if it has any); raise ValidationErrors."""
    required_texts(obj)
    rule = RULES.get(type(obj))
    if rule is not None:
        rule(obj)
