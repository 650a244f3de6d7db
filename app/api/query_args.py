"""The ``q`` argument of every REST list, record and info endpoint (and what a body may not carry),
checked before it reaches a query.

Flask-AppBuilder parses ``q`` (Rison, or JSON) and hands page, page size, order and filters to the
database mostly as given: ``(page:-1)`` became a negative OFFSET (a 500 on PostgreSQL), a Rison
parser crash a 500, a filter of the wrong type a database error, an unknown operator was silently
ignored. Here each is answered 400 with a message naming the parameter, and filter values reach
the query in the column's own type.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import urllib.parse
from decimal import Decimal, InvalidOperation

import jsonschema
import prison
import sqlalchemy as sa
from dateutil import parser as date_parser
from flask import current_app, request
from flask_appbuilder.const import (API_ADD_COLUMNS_RIS_KEY, API_EDIT_COLUMNS_RIS_KEY,
                                    API_FILTERS_RIS_KEY, API_PAGE_INDEX_RIS_KEY,
                                    API_PAGE_SIZE_RIS_KEY, API_URI_RIS_KEY)
from flask_appbuilder.api.schemas import get_info_schema, get_item_schema, get_list_schema
from flask_appbuilder.exceptions import FABException

MAX_PAGE = 1_000_000
MAX_TEXT = 1000
INT_RANGE = {sa.SmallInteger: 2 ** 15 - 1, sa.BigInteger: 2 ** 63 - 1, sa.Integer: 2 ** 31 - 1}
TEXT_OPERATORS = {"sw", "nsw", "ew", "new", "ct", "nct"}
LIST_OPERATORS = {"in", "not_in"}
RELATION_OPERATORS = {"rel_o_m", "nrel_o_m", "rel_m_m"}


class BadQueryArg(FABException):
    """A parameter of ``q`` at fault: ``param`` names it."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


def parse_q(value: str):
    """``q`` as Flask-AppBuilder reads it (Rison, else JSON), or BadQueryArg — never a crash."""
    try:
        return prison.loads(value)
    except Exception:  # the parser itself overflows on some inputs ("((")
        pass
    try:
        return json.loads(urllib.parse.parse_qs(f"q={value}")["q"][0])
    except Exception:
        raise BadQueryArg("q", "not valid Rison or JSON") from None


SCHEMAS = {"get_list": get_list_schema, "get": get_item_schema, "info": get_info_schema}


def _check_schema(args, schema) -> None:
    """Flask-AppBuilder's own schema of ``q``, with the parameter at fault named."""
    if schema is None:
        return
    error = next(iter(jsonschema.Draft7Validator(schema).iter_errors(args)), None)
    if error is not None:
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        raise BadQueryArg(path.lstrip(".") or "q", error.message[:200])


def _page_args(args: dict, max_page_size: int, where: str = "") -> None:
    page = args.get(API_PAGE_INDEX_RIS_KEY)
    if page is not None and (not _is_int(page) or not 0 <= page <= MAX_PAGE):
        raise BadQueryArg(where + "page", f"must be a whole number from 0 to {MAX_PAGE}")
    size = args.get(API_PAGE_SIZE_RIS_KEY)
    if size is not None and (not _is_int(size) or not 1 <= size <= max_page_size):
        raise BadQueryArg(where + "page_size", f"must be a whole number from 1 to {max_page_size}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _column_type(datamodel, column: str):
    prop = sa.inspect(datamodel.obj).attrs.get(column)
    columns = getattr(prop, "columns", None)
    return columns[0].type if columns else None


def _integer(value, kind, param):
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    limit = next((v for k, v in INT_RANGE.items() if isinstance(kind, k)), 2 ** 31 - 1)
    if not _is_int(value) or abs(value) > limit:
        raise BadQueryArg(param, "must be a whole number")
    return value


def _number(value, kind, param):
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        raise BadQueryArg(param, "must be a number")
    return float(number) if isinstance(kind, sa.Float) else number


def _boolean(value, kind, param):
    words = {"y": True, "true": True, "1": True, "n": False, "false": False, "0": False}
    if isinstance(value, bool):
        return value
    if isinstance(value, (str, int)) and str(value).lower() in words:
        return words[str(value).lower()]
    raise BadQueryArg(param, "must be true or false")


def _moment(value, kind, param):
    if isinstance(value, str) and len(value) <= 40:
        try:
            moment = date_parser.isoparse(value)
        except (ValueError, OverflowError):
            moment = None
        if moment is not None:
            moment = moment.replace(tzinfo=None)
            return moment.date() if isinstance(kind, sa.Date) and \
                not isinstance(kind, sa.DateTime) else moment
    raise BadQueryArg(param, "must be a date or time as YYYY-MM-DD[THH:MM:SS]")


def _text(value, kind, param):
    if _is_int(value) or isinstance(value, float) and math.isfinite(value):
        value = str(value)
    if not isinstance(value, str) or "\x00" in value or len(value) > MAX_TEXT:
        raise BadQueryArg(param, f"must be text of at most {MAX_TEXT} characters")
    enum = getattr(kind, "enums", None)
    if enum and value not in enum:
        raise BadQueryArg(param, "must be one of " + ", ".join(enum))
    return value


def _scalar(value, kind, param):
    if isinstance(kind, sa.Boolean):
        return _boolean(value, kind, param)
    if isinstance(kind, sa.Integer):
        return _integer(value, kind, param)
    if isinstance(kind, (sa.Numeric, sa.Float)):
        return _number(value, kind, param)
    if isinstance(kind, (sa.Date, sa.DateTime)):
        return _moment(value, kind, param)
    return _text(value, kind, param)


def check_filter(api, position: int, item) -> dict:
    """One ``{col, opr, value}`` of ``filters``, its value in the column's type."""
    param = f"filters[{position}]"
    if not isinstance(item, dict) or not {"col", "opr", "value"} <= set(item):
        raise BadQueryArg(param, "must be an object with col, opr and value")
    col, opr, value = item["col"], item["opr"], item["value"]
    allowed = {f.arg_name for f in api._filters._search_filters.get(col, [])} \
        if isinstance(col, str) else set()
    if col not in api.search_columns or not allowed:
        raise BadQueryArg(f"{param}.col", f"{col!r} cannot be filtered on; use one of "
                          + ", ".join(sorted(map(str, api.search_columns))))
    if opr not in allowed:
        raise BadQueryArg(f"{param}.opr", f"{opr!r} is not an operator for {col}; use one of "
                          + ", ".join(sorted(allowed)))
    param += ".value"
    if opr in RELATION_OPERATORS:
        values = value if isinstance(value, list) and opr == "rel_m_m" else [value]
        ids = [_integer(v, sa.Integer(), param) for v in values]
        return {"col": col, "opr": opr, "value": ids if isinstance(value, list) else ids[0]}
    kind = _column_type(api.datamodel, col)
    if opr in LIST_OPERATORS:
        if not isinstance(value, list) or len(value) > 500:
            raise BadQueryArg(param, "must be a list of at most 500 values")
        return {"col": col, "opr": opr, "value": [_scalar(v, kind, param) for v in value]}
    if opr in TEXT_OPERATORS:
        return {"col": col, "opr": opr, "value": _text(value, None, param)}
    return {"col": col, "opr": opr, "value": _scalar(value, kind, param)}


def check_body(value, relations: set[str], path: str = "", key: str = "") -> None:
    """What no column stores: the NUL character in a text, an id beyond an INTEGER key (under
    ``id``, ``*_id``, ``*_ids`` or a relation's name)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise BadQueryArg(path or "body", "text cannot contain the NUL character")
    elif isinstance(value, dict):
        for name, item in value.items():
            check_body(item, relations, f"{path}.{name}" if path else str(name), str(name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_body(item, relations, f"{path}[{i}]", key)
    elif _is_int(value) and abs(value) > INT_RANGE[sa.Integer] and (
            key == "id" or key.endswith(("_id", "_ids")) or key in relations):
        raise BadQueryArg(path, "is not the id of any record")


class CheckedQueryArgs:
    """Mixed into every REST resource (OrderHub's and the security API's)."""

    def _max_page_size(self) -> int:
        return self.max_page_size or current_app.config.get("FAB_API_MAX_PAGE_SIZE") or 100

    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(self._check_request)
        return blueprint

    def _check_request(self):
        """A ``q`` no parser reads, or a body no database stores, is a 400 before any endpoint."""
        try:
            if request.method in ("POST", "PUT", "PATCH") and request.is_json:
                body = request.get_json(silent=True)
                relations = set(sa.inspect(self.datamodel.obj).relationships.keys())
                check_body(body, relations)
        except BadQueryArg as exc:
            return self.response_400(message=str(exc))
        return self._check_q()

    def _check_q(self):
        value = request.args.get(API_URI_RIS_KEY)
        if not value:
            return None
        try:
            args = parse_q(value)
            if not isinstance(args, dict):
                raise BadQueryArg("q", "must be an object, e.g. (page:0,page_size:25)")
            endpoint = (request.endpoint or "").rpartition(".")[2]
            _check_schema(args, SCHEMAS.get(endpoint))
            if endpoint == "get_list":
                _page_args(args, self._max_page_size())
            elif endpoint == "info":
                for key in (API_ADD_COLUMNS_RIS_KEY, API_EDIT_COLUMNS_RIS_KEY):
                    for col, col_args in (args.get(key) or {}).items() \
                            if isinstance(args.get(key), dict) else ():
                        if isinstance(col_args, dict):
                            _page_args(col_args, self._max_page_size(), f"{key}.{col}.")
        except BadQueryArg as exc:
            return self.response_400(message=str(exc))
        return None

    def _handle_filters_args(self, rison_args):
        filters = rison_args.get(API_FILTERS_RIS_KEY, [])
        if not isinstance(filters, list):
            raise BadQueryArg("filters", "must be a list of {col, opr, value}")
        checked = [check_filter(self, i, item) for i, item in enumerate(filters)]
        return super()._handle_filters_args({**rison_args, API_FILTERS_RIS_KEY: checked})

