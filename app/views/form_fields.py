"""Form fields the generated forms use in place of Flask-AppBuilder's where its own break.

FAB's EnumField turns a value that is not one of the choices into a KeyError, which WTForms does not
expect from a field: a hand-made POST with ``vat_rate=zz`` gave a 500 instead of "Not a valid
choice". Ours reports it on the field, and shows the choices in the reader's language.

FAB's DecimalField read ``289.000`` as 289 ₫ and refused ``1.500.000`` in English words; every
money and whole-number input is an ``AmountField`` instead (``install`` puts it in FAB's converter).
"""
from __future__ import annotations

import functools
from decimal import Decimal

import flask_appbuilder.fields
import flask_appbuilder.forms
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_babel import lazy_gettext
from wtforms import Field
from wtforms.validators import ValidationError

from app.services.amounts import MONEY, QUANTITY, AmountError, format_amount, parse_amount
from app.web.formatting import reader_language
from app.web.i18n import error_text


class EnumField(flask_appbuilder.fields.EnumField):
    def __init__(self, enum_class, enums, label=None, validators=None, default=None, **kwargs):
        super().__init__(enum_class, enums, label=label, validators=validators, default=default,
                         **kwargs)
        if enum_class is not None:
            self.choices = [(value, lazy_gettext(str(text).replace("_", " ")))
                            for value, text in self.choices]

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except KeyError:
            self.data = None
            raise ValueError(self.gettext("Not a valid choice.")) from None

    def pre_validate(self, form):
        if self.data is None:  # empty (the validators decide) or already refused above
            return
        if not any(self.data == self.coerce(value) for value, _ in self.choices):
            raise ValidationError(self.gettext("Not a valid choice."))


class AmountField(Field):
    """Every money and quantity input of the generated forms (and the line forms of our own pages).

    Reads what the clerk typed with ``app.services.amounts.parse_amount`` in the reader's language
    (``289.000``, ``289,000``, ``289k``, ``1tr2``; quantities whole), refuses the ambiguous with
    the rule on the field, and shows a stored amount grouped the reader's way without decimals.
    ``kind`` is ``"money"`` or ``"quantity"``; data is a Decimal (money) or an int (quantity).
    """

    def __init__(self, label=None, validators=None, *, kind: str = MONEY, signed: bool = False,
                 widget=None, **kwargs):
        super().__init__(label, validators, widget=widget or BS3TextFieldWidget(), **kwargs)
        self.kind, self.signed = kind, signed

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        try:
            number = parse_amount(valuelist[0], field=self.name, label=str(self.label.text),
                                  kind=self.kind, locale=reader_language(), signed=self.signed)
        except AmountError as exc:
            raise ValueError(error_text(exc)) from None
        if number is not None:
            self.data = Decimal(number) if self.kind == MONEY else number

    def _value(self):
        if self.raw_data:  # what was typed, as typed (shown again with its error)
            return self.raw_data[0]
        if self.data is None or self.data == "":
            return ""
        try:
            return format_amount(self.data, reader_language())
        except (ArithmeticError, TypeError, ValueError):
            return str(self.data)


class QuerySelectField(flask_appbuilder.fields.QuerySelectField):
    """A relation's drop-down whose empty choice reads "(none)" in the reader's language, not
    the form's internal "__None"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.blank_text:
            self.blank_text = lazy_gettext("(none)")


def install() -> None:
    """Make the model-form converter build our fields (it looks the names up in its module), and
    read every money (NUMERIC) and whole-number (INTEGER) column through AmountField."""
    flask_appbuilder.forms.EnumField = EnumField
    flask_appbuilder.forms.QuerySelectField = QuerySelectField
    table = []
    for marker, field, widget in flask_appbuilder.forms.FieldConverter.conversion_table:
        if marker == "is_integer":
            field = functools.partial(AmountField, kind=QUANTITY)
        elif marker == "is_numeric":
            field = functools.partial(AmountField, kind=MONEY)
        table.append((marker, field, widget))
    flask_appbuilder.forms.FieldConverter.conversion_table = tuple(table)
