"""What every OrderHub REST resource shares: JWT only (no cookie auth, so no CSRF exposure),
the resource-level permission mapping, friendly 4xx errors, a checked ``q`` (query_args.py), the
warehouse scope (app/security/scope.py), and never a secret in the output."""
from __future__ import annotations

from flask import request
import sqlalchemy as sa
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.api.convert import Model2SchemaConverter
from marshmallow import ValidationError as MarshmallowValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.security import scope
from app.security.roles import METHOD_PERMISSIONS
from app.services.amounts import MONEY, QUANTITY, AmountError, parse_amount
from app.services.editing import check_version
from app.services.errors import N_, DomainError, ValidationError
from app.api.actions import error_body
from app.api.query_args import CheckedQueryArgs
from app.services.integrity import explain_integrity_error
from app.services.record_rules import check_record
from app.web.formatting import reader_language
from app.web.i18n import error_text

SECRET_COLUMNS = {"credentials", "password", "label_pdf", "pdf"}
# Searchable (``q`` filters) but not part of a record's answer.
INTERNAL_COLUMNS = {"search_text"}


def _amount_kind(model, name: str) -> str | None:
    """MONEY for a NUMERIC column, QUANTITY for a plain INTEGER one (not a key), else None."""
    attr = sa.inspect(model).column_attrs.get(name)
    column = attr.columns[0] if attr is not None else None
    if column is None or column.primary_key or column.foreign_keys:
        return None
    if isinstance(column.type, sa.Numeric):
        return MONEY
    if isinstance(column.type, sa.Integer):
        return QUANTITY
    return None


class AmountSchemaConverter(Model2SchemaConverter):
    """Money and whole numbers sent as JSON strings are read like typed ones
    (``app.services.amounts``): ``"289.000"`` is 289 000 ₫, not 289; ``"1.5"`` is refused."""

    def _column2field(self, datamodel, column, nested=True, parent_schema_name=None):
        field = super()._column2field(datamodel, column, nested=nested,
                                      parent_schema_name=parent_schema_name)
        kind = _amount_kind(datamodel.obj, column.name)
        if kind is not None and field is not None and not field.dump_only:
            read = field._deserialize

            def _deserialize(value, attr, data, **kwargs):
                if isinstance(value, str):
                    try:
                        value = parse_amount(value, field=attr or column.name, kind=kind,
                                             locale=reader_language())
                    except AmountError as exc:
                        raise MarshmallowValidationError(error_text(exc)) from None
                return read(value, attr, data, **kwargs)

            field._deserialize = _deserialize
        return field


class OrderHubRestApi(CheckedQueryArgs, ModelRestApi):
    model2schemaconverter = AmountSchemaConverter
    allow_browser_login = False
    method_permission_name = dict(METHOD_PERMISSIONS)
    page_size = 25
    max_page_size = 500

    def __init__(self):
        mapper = self.datamodel.obj.__mapper__
        cols = [a.key for a in mapper.column_attrs
                if all(hasattr(c, "table") and c.table is not None for c in a.columns)]
        safe = [c for c in cols if c not in SECRET_COLUMNS]
        for attr in ("list_columns", "show_columns"):
            current = getattr(self, attr, None)
            setattr(self, attr, [c for c in (current or safe)
                                 if c not in SECRET_COLUMNS | INTERNAL_COLUMNS])
        for attr in ("add_columns", "edit_columns"):
            current = getattr(self, attr, None)
            if current is not None:
                setattr(self, attr, [c for c in current
                                     if c not in SECRET_COLUMNS | INTERNAL_COLUMNS])
        scope.apply_to(self, scope.API_RELATION_FILTERS)  # warehouse scope: app/security/scope.py
        super().__init__()

    def pre_add(self, item):
        scope.refuse_out_of_scope_references(db.session, type(item), scope.item_references(item))
        check_record(item)

    def pre_update(self, item):
        scope.refuse_out_of_scope_references(db.session, type(item), scope.item_references(item))
        check_record(item)

    # Turn database and domain errors into 4xx with a message naming the field, never a 500.
    def post_headless(self):
        return self._guarded(super().post_headless)

    def put_headless(self, pk):
        return self._guarded(lambda: self._put_checked(pk))

    def delete_headless(self, pk):
        return self._guarded(lambda: super(OrderHubRestApi, self).delete_headless(pk))

    def _put_checked(self, pk):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ValidationError("body", N_("Send the changes as a JSON object of field names "
                                             "and values."))
        if "version" in body:
            item = self.datamodel.get(pk, self._base_filters)
            if item is not None:
                check_version(item, body.pop("version"), self.resource_name)
        return super().put_headless(pk)

    def _guarded(self, fn):
        try:
            return fn()
        except DomainError as exc:
            db.session.rollback()
            return self.response(exc.http_status, **error_body(exc))
        except StaleDataError:
            db.session.rollback()
            return self.response(409, message="This record was changed by someone else since you "
                                              "opened it. Reload it and make your change again.")
        except sa_exc.IntegrityError as exc:
            db.session.rollback()
            err = explain_integrity_error(exc)
            return self.response(422, message=err.message, errors=err.errors)
        except MarshmallowValidationError as exc:
            db.session.rollback()
            return self.response(422, message=exc.messages)
        except (sa_exc.DataError, sa_exc.StatementError, ValueError, TypeError) as exc:
            db.session.rollback()
            return self.response(422, message=f"Invalid value: {str(exc).splitlines()[0][:200]}")
