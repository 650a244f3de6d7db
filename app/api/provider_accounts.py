"""Carrier and e-invoice accounts on the REST API (admins only): ``/api/v1/provider_account/``.

- ``GET /`` and ``GET /<id>``: each account with its settings as ``{field key: value}`` (the keys
  of its form, e.g. ``settings.seller.tax_code``), its secrets only as ``"set"`` / ``"not set"``,
  and what it still needs (``missing``). A secret is never returned.
- ``POST /`` ``{"provider": "ghn" | "viettelpost" | "sinvoice" | "misa", <field key>: value, …}``
  adds one (201); ``PUT /<id>`` ``{<field key>: value, …}`` changes the fields given (a blank
  secret keeps the stored one). Nested ``{"settings": {…}, "credentials": {…}}`` works too. A
  refusal is 422 with ``{"message", "errors": {field key: [message]}}``.
- ``POST /<id>/test``: one harmless call to the provider: ``{"ok": true|false, "message": …}``.
"""
from __future__ import annotations

from flask_appbuilder.api import BaseApi, expose, protect, safe

from app.api.actions import error_body, json_body
from app.extensions import db
from app.models import ProviderAccount
from app.services.connection_check import check_connection
from app.services.connection_settings import describe, missing, new_account, save
from app.services.errors import N_, DomainError, NotFound, ValidationError


def flat(body: dict) -> dict:
    """``{"settings": {"seller": {"tax_code": …}}}`` → ``{"settings.seller.tax_code": …}``; dotted
    keys pass as they are."""
    out = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict) and prefix.split(".")[0] in ("settings", "credentials", "series"):
            for key, inner in value.items():
                walk(f"{prefix}.{key}", inner)
        else:
            out[prefix] = value

    for key, value in body.items():
        walk(str(key), value)
    return out


def connection_json(record) -> dict:
    """A record's connection as the API shows it: values, secrets as set / not set, what is missing."""
    values, secrets = {}, {}
    for _group, items in describe(db.session, record):
        for item in items:
            if item.field.secret:
                secrets[item.field.key] = "set" if item.is_set else "not set"
            else:
                values[item.field.key] = item.value
    return {"settings": values, "secrets": secrets, "missing": [f.key for f in missing(db.session, record)]}


def account_json(account: ProviderAccount) -> dict:
    return {"id": account.id, "name": account.name, "kind": account.kind.value, "provider": account.provider,
            "base_url": account.base_url, "active": account.active, **connection_json(account)}


def check_json(check) -> dict:
    return {"ok": check.ok, "message": check.message}


class ProviderAccountApi(BaseApi):
    resource_name = "provider_account"
    class_permission_name = "ProviderAccount"
    openapi_spec_tag = "ProviderAccount"
    allow_browser_login = False
    method_permission_name = {"list_accounts": "read", "get_account": "read", "add_account": "write",
                              "update_account": "write", "test": "test_connection"}

    def _account(self, pk) -> ProviderAccount:
        account = db.session.get(ProviderAccount, pk)
        if account is None:
            raise NotFound(N_("Carrier or e-invoice account #%(id)s does not exist."), id=pk)
        return account

    def _answer(self, fn, status: int = 200):
        try:
            return self.response(status, **fn())
        except DomainError as exc:
            db.session.rollback()
            return self.response(exc.http_status, **error_body(exc))

    @expose("/", methods=["GET"])
    @protect()
    @safe
    def list_accounts(self):
        """The accounts, their settings and whether their secrets are set.
        ---
        get:
          responses:
            200:
              description: every carrier and e-invoice account
        """
        accounts = db.session.query(ProviderAccount).order_by(ProviderAccount.name).all()
        return self.response(200, result=[account_json(a) for a in accounts], count=len(accounts))

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    def get_account(self, pk):
        """One account.
        ---
        get:
          responses:
            200:
              description: the account, secrets as set / not set
        """
        return self._answer(lambda: {"id": pk, "result": account_json(self._account(pk))})

    @expose("/", methods=["POST"])
    @protect()
    @safe
    def add_account(self):
        """Add an account from every setting its provider needs.
        ---
        post:
          responses:
            201:
              description: added
            422:
              description: a setting breaks its rule (named in errors)
        """
        body = json_body()
        provider = str(body.pop("provider", "") or "")

        def create():
            if not provider:
                raise ValidationError("provider", N_("Say which provider: ghn, viettelpost, sinvoice or misa."))
            account = new_account(db.session, provider, flat(body))
            return {"id": account.id, "result": account_json(account)}
        return self._answer(create, 201)

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    def update_account(self, pk):
        """Change the settings given (secrets: set or replace; blank keeps the stored one).
        ---
        put:
          responses:
            200:
              description: saved; changed lists the keys that changed
            422:
              description: a setting breaks its rule (named in errors)
        """
        def update():
            account = self._account(pk)
            changed = save(db.session, account, flat(json_body()))
            return {"id": pk, "changed": changed, "result": account_json(account)}
        return self._answer(update)

    @expose("/<int:pk>/test", methods=["POST"])
    @protect()
    @safe
    def test(self, pk):
        """Test the stored connection with one harmless call to the provider.
        ---
        post:
          responses:
            200:
              description: ok tells whether the provider accepted it, message why not
        """
        return self._answer(lambda: check_json(check_connection(db.session, self._account(pk))))
