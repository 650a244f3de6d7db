"""An account's connection settings as an admin sets them — one form per carrier, e-invoice or
marketplace account, the same rules from the panel, the REST API and the ``flask`` CLI.

Every value is checked by its field's rule (``connection_fields``) and the whole change is written
in one commit or not at all; a refusal names each field at fault. Secrets are write-only: a blank
secret keeps what is stored, and nothing here ever returns one (``describe`` says "set" or "not
set"). A blank non-secret field clears the setting. A new account needs every required setting; an
existing one may be completed bit by bit (``missing`` says what it still needs) but never loses one.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Channel, InvoiceSeries, InvoiceTemplate, ProviderAccount, ProviderKind
from app.services.connection_fields import ACCOUNT_FIELDS, CHANNELS, PROVIDER_KINDS, PROVIDERS, Field
from app.services.errors import N_, FieldMessage, InvalidTaxCode, ValidationError, ValidationErrors
from app.services.invoice_rules import SERIES_RE
from app.services.phones import normalize_phone
from app.services.tax_code import normalize_tax_code

TRUE, FALSE = ("1", "true", "yes", "on", "y"), ("0", "false", "no", "off", "n", "")
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s;]+@[^@\s;]+\.[^@\s;]+")
SECRET_MAX = 500


# ------------------------------------------------------------------------------------------ fields

def fields_of(record) -> tuple[Field, ...]:
    """The fields of a Channel (its app credentials) or a ProviderAccount (everything)."""
    if isinstance(record, Channel):
        return CHANNELS.get(getattr(record.platform, "value", record.platform), ())
    return provider_fields(record.provider)


def provider_fields(provider: str) -> tuple[Field, ...]:
    if provider not in PROVIDERS:
        raise ValidationError("provider", N_("Provider must be one of %(choices)s (not %(given)s)."),
                              choices=", ".join(PROVIDERS), given=provider)
    return ACCOUNT_FIELDS + PROVIDERS[provider]


def stored(session: Session, record, field: Field):
    """What is stored for ``field`` (a secret's value too: for this module's own use only)."""
    head, _, rest = field.key.partition(".")
    if head == "settings":
        value: Any = record.settings or {}
        for part in rest.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value
    if head == "credentials":
        return (record.credentials or {}).get(rest)
    if head == "series":
        return ", ".join(series_of(session, record, rest))
    return getattr(record, field.key, None)


def series_of(session: Session, account, template: str) -> list[str]:
    if getattr(account, "id", None) is None:
        return []
    return list(session.scalars(sa.select(InvoiceSeries.series).where(
        InvoiceSeries.provider_account_id == account.id, InvoiceSeries.template == InvoiceTemplate(template),
        InvoiceSeries.active.is_(True)).order_by(InvoiceSeries.series)))


def _present(value) -> bool:
    return value not in (None, "", [], {})


@dataclass(frozen=True)
class Shown:
    """A field as a person may see it: the value, or for a secret only whether one is set."""

    field: Field
    value: Any          # None for a secret, always
    is_set: bool


def describe(session: Session, record) -> list[tuple[str, list[Shown]]]:
    """The record's settings grouped as the form shows them; secrets only as set / not set."""
    groups: dict[str, list[Shown]] = {}
    for field in fields_of(record):
        value = stored(session, record, field)
        groups.setdefault(field.group, []).append(
            Shown(field, None if field.secret else value, _present(value)))
    return list(groups.items())


def missing(session: Session, record) -> list[Field]:
    """Required fields with nothing stored: what keeps the account from working."""
    return [f for f in fields_of(record) if f.required and not _present(stored(session, record, f))]


# ------------------------------------------------------------------------------------------ checking

def _bad(errors: dict, field: Field, message: str, **details) -> None:
    errors.setdefault(field.key, []).append(FieldMessage(message, translatable=("name",),
                                                         name=field.label, **details))


def parse(field: Field, raw, errors: dict):
    """``raw`` (text, or a number / bool from JSON) as ``field`` stores it; None when blank. A value
    breaking the field's rule is noted in ``errors`` (under the field's key) and None returned."""
    if field.kind == "bool":
        text = str(raw).strip().lower() if not isinstance(raw, bool) else ("1" if raw else "0")
        if text not in TRUE + FALSE:
            _bad(errors, field, N_("%(name)s: answer yes or no (not %(value)s)."), value=raw)
            return None
        return text in TRUE
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    limit = SECRET_MAX if field.secret else field.max_length
    if len(text) > limit:
        _bad(errors, field, N_("%(name)s is longer than %(limit)s characters."), limit=limit)
        return None
    return _CHECKS.get(field.kind, lambda f, t, e: t)(field, text, errors)


def _url(field, text, errors):
    if not _URL.fullmatch(text):
        _bad(errors, field, N_("%(name)s: %(value)s is not a web address (https://…)."), value=text)
        return None
    return text.rstrip("/")


def _tax_code(field, text, errors):
    try:
        return normalize_tax_code(text, field.key)
    except InvalidTaxCode as exc:
        _bad(errors, field, exc.template, **{k: v for k, v in exc.details.items() if k not in ("field", "name")})
        return None


def _phone(field, text, errors):
    try:
        return normalize_phone(text, field.key, mobile_only=False)
    except ValidationError:
        _bad(errors, field, N_("%(name)s: %(value)s is not a Vietnamese phone number."), value=text)
        return None


def _email(field, text, errors):
    if not _EMAIL.fullmatch(text):
        _bad(errors, field, N_("%(name)s: %(value)s is not an email address."), value=text)
        return None
    return text


def _number(field, text, errors):
    if not re.fullmatch(r"\d{1,12}", text):
        _bad(errors, field, N_("%(name)s is a whole number (not %(value)s)."), value=text)
        return None
    value = int(text)
    if (field.low is not None and value < field.low) or (field.high is not None and value > field.high):
        _bad(errors, field, N_("%(name)s must be between %(low)s and %(high)s."),
             low=field.low if field.low is not None else 0, high=field.high if field.high is not None else "∞")
        return None
    return value


def _choice(field, text, errors):
    if text not in {value for value, _ in field.choices}:
        _bad(errors, field, N_("%(name)s must be one of %(choices)s (not %(value)s)."),
             choices=", ".join(value for value, _ in field.choices), value=text)
        return None
    return text


def _code(field, text, errors):
    if not re.fullmatch(field.pattern, text):
        _bad(errors, field, N_("%(name)s: %(value)s does not fit the rule: %(rule)s."), value=text, rule=field.rule)
        return None
    return text


def _series(field, text, errors):
    values = [s.upper() for s in re.split(r"[\s,;]+", text) if s]
    wrong = [s for s in values if not SERIES_RE.match(s)]
    if wrong:
        _bad(errors, field, N_("%(name)s: %(value)s is not an invoice series (C or K, the year's two digits, a "
                               "type letter and two more, e.g. C26TAA)."), value=", ".join(wrong))
        return None
    return list(dict.fromkeys(values))


_CHECKS = {"url": _url, "tax_code": _tax_code, "phone": _phone, "email": _email, "number": _number,
           "choice": _choice, "code": _code, "series": _series}


def _checked(session: Session, record, fields: tuple[Field, ...], values: Mapping[str, Any]) -> dict:
    """{field key: new value} for the fields ``values`` changes, every rule checked (all refusals
    raised together as ValidationErrors)."""
    by_key = {f.key: f for f in fields}
    errors: dict[str, list] = {}
    for key in values:
        if key not in by_key:
            errors.setdefault(key, []).append(FieldMessage(
                N_("%(key)s is not a setting of this account; its settings are %(known)s."),
                key=key, known=", ".join(by_key)))
    new = {}
    for key, raw in values.items():
        field = by_key.get(key)
        if field is None:
            continue
        value = parse(field, raw, errors)
        if field.secret and value is None:
            continue  # a blank secret keeps what is stored
        new[key] = value
    # A new account needs every required setting; an existing one may be completed bit by bit (its
    # page says what it still needs), but never loses a required setting it has.
    creating = getattr(record, "id", None) is None
    for field in fields:
        value = new[field.key] if field.key in new else stored(session, record, field)
        if field.required and not _present(value) and field.key not in errors and (creating or field.key in new):
            _bad(errors, field, N_("%(name)s is required."))
    if "name" in new and new["name"] and isinstance(record, ProviderAccount):
        taken = session.scalar(sa.select(ProviderAccount.id).where(ProviderAccount.name == new["name"],
                                                                   ProviderAccount.id != record.id))
        if taken is not None:
            _bad(errors, by_key["name"], N_("%(name)s: another account is already called %(value)s."),
                 value=new["name"])
    if errors:
        raise ValidationErrors(errors)
    return new


# ------------------------------------------------------------------------------------------ saving

def save(session: Session, record, values: Mapping[str, Any]) -> list[str]:
    """Check and store ``values`` ({field key: text}) on ``record`` in one commit; returns the keys
    whose stored value changed (a secret's key when it was set or replaced)."""
    fields = fields_of(record)
    new = _checked(session, record, fields, values)
    changed = [k for k, v in new.items()
               if v != _comparable(stored(session, record, next(f for f in fields if f.key == k)), v)]
    if not changed:
        return []
    settings, credentials = copy.deepcopy(getattr(record, "settings", None) or {}), dict(record.credentials or {})
    series = {}
    for key in changed:
        head, _, rest = key.partition(".")
        if head == "settings":
            _put(settings, rest.split("."), new[key])
        elif head == "credentials":
            if new[key] is None:
                credentials.pop(rest, None)
            else:
                credentials[rest] = new[key]
        elif head == "series":
            series[rest] = new[key] or []
        else:
            setattr(record, key, new[key])
    heads = {key.partition(".")[0] for key in changed}
    if "settings" in heads:
        record.settings = settings
    if "credentials" in heads:
        record.credentials = credentials
    if record not in session:
        session.add(record)
    session.flush()
    for template, wanted in series.items():
        _register_series(session, record, template, wanted)
    session.commit()
    return changed


def _comparable(current, new):
    """The stored value in the shape ``new`` has (a series list, not its text)."""
    if isinstance(new, list):
        return [s for s in re.split(r"[\s,]+", current or "") if s]
    return current


def _put(tree: dict, path: list[str], value) -> None:
    for part in path[:-1]:
        node = tree.get(part)
        tree[part] = node = dict(node) if isinstance(node, dict) else {}
        tree = node
    if value is None:
        tree.pop(path[-1], None)
    else:
        tree[path[-1]] = value


def _register_series(session: Session, account: ProviderAccount, template: str, wanted: list[str]) -> None:
    """The listed series active (registered now if new), the others of the template deactivated —
    never deleted: invoices and the provider's register refer to them."""
    rows = {r.series: r for r in session.scalars(sa.select(InvoiceSeries).where(
        InvoiceSeries.provider_account_id == account.id, InvoiceSeries.template == InvoiceTemplate(template)))}
    for text in wanted:
        row = rows.get(text)
        if row is None:
            session.add(InvoiceSeries(provider_account_id=account.id, template=InvoiceTemplate(template),
                                      series=text, last_number=0, active=True))
        else:
            row.active = True
    for text, row in rows.items():
        if text not in wanted:
            row.active = False


def new_account(session: Session, provider: str, values: Mapping[str, Any]) -> ProviderAccount:
    """A carrier or e-invoice account from a complete set of values (the same checks as ``save``)."""
    provider_fields(provider)
    account = ProviderAccount(provider=provider, kind=ProviderKind(PROVIDER_KINDS[provider]), active=True,
                              settings={}, credentials={})
    save(session, account, {"active": "1", **values})
    return account
