"""Form fields the generated forms use in place of Flask-AppBuilder's where its own break.

FAB's EnumField turns a value that is not one of the choices into a KeyError, which WTForms does not
expect from a field: a hand-made POST with ``vat_rate=zz`` gave a 500 instead of "Not a valid
choice". Ours reports it on the field, and shows the choices in the reader's language.
"""
from __future__ import annotations

import flask_appbuilder.fields
import flask_appbuilder.forms
from flask_babel import lazy_gettext
from wtforms.validators import ValidationError


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


class QuerySelectField(flask_appbuilder.fields.QuerySelectField):
    """A relation's drop-down whose empty choice reads "(none)" in the reader's language, not
    the form's internal "__None"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.blank_text:
            self.blank_text = lazy_gettext("(none)")


def install() -> None:
    """Make the model-form converter build our fields (it looks the names up in its module)."""
    flask_appbuilder.forms.EnumField = EnumField
    flask_appbuilder.forms.QuerySelectField = QuerySelectField
