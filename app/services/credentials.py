"""The secrets each connection needs — a marketplace app's key, a carrier's token, an e-invoice
account's password — as an admin sets them: field by field, encrypted at rest, never shown back.

Tokens a connection obtains itself (access and refresh tokens, a shop cipher) are kept when an admin
changes the app's key; a blank field keeps what is stored.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import Channel, ProviderAccount
from app.services.errors import N_, ValidationError


@dataclass(frozen=True)
class CredentialField:
    key: str
    label: str
    secret: bool = True
    number: bool = False


F = CredentialField
CHANNEL_FIELDS = {
    "shopee": (F("partner_id", N_("Partner ID"), secret=False, number=True),
               F("partner_key", N_("Partner key"))),
    "lazada": (F("app_key", N_("App key"), secret=False), F("app_secret", N_("App secret"))),
    "tiktok": (F("app_key", N_("App key"), secret=False), F("app_secret", N_("App secret"))),
    "website": (F("api_secret", N_("Signing secret")),),
    "manual": (),
}
PROVIDER_FIELDS = {
    "ghn": (F("token", N_("API token")), F("shop_id", N_("Shop ID"), secret=False, number=True)),
    "viettelpost": (F("username", N_("Partner user name"), secret=False),
                    F("password", N_("Password")), F("webhook_token", N_("Callback token"))),
    "sinvoice": (F("username", N_("User name"), secret=False), F("password", N_("Password")),
                 F("supplier_tax_code", N_("Seller tax code"), secret=False)),
    "misa": (F("app_id", N_("App ID"), secret=False), F("tax_code", N_("Tax code"), secret=False),
             F("username", N_("User name"), secret=False), F("password", N_("Password"))),
}


def credential_fields(record) -> tuple[CredentialField, ...]:
    if isinstance(record, Channel):
        return CHANNEL_FIELDS.get(getattr(record.platform, "value", record.platform), ())
    if isinstance(record, ProviderAccount):
        return PROVIDER_FIELDS.get(record.provider, ())
    return ()


def credential_status(record) -> list[tuple[CredentialField, bool]]:
    """Each field with whether a value is stored (the value itself never leaves this module)."""
    stored = record.credentials or {}
    return [(f, stored.get(f.key) not in (None, "")) for f in credential_fields(record)]


def set_credentials(session: Session, record, values: dict[str, str]) -> list[str]:
    """Store the fields given (blank ones keep their value); returns the keys changed."""
    fields = credential_fields(record)
    if not fields:
        raise ValidationError("credentials", N_("This connection needs no credentials."))
    stored = dict(record.credentials or {})
    changed = []
    for field in fields:
        text = str(values.get(field.key) or "").strip()
        if not text:
            continue
        if len(text) > 500:
            raise ValidationError(field.key, N_("%(name)s is longer than 500 characters."),
                                  name=field.label)
        value = text
        if field.number:
            if not text.isdigit():
                raise ValidationError(field.key, N_("%(name)s is a number."), name=field.label)
            value = int(text)
        if stored.get(field.key) != value:
            stored[field.key] = value
            changed.append(field.key)
    if changed:
        record.credentials = stored
        session.commit()
    return changed
