"""A form field for large relations (customer, variant): a select filled by search-as-you-type."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup, escape
from wtforms import Field
from wtforms.widgets import html_params

from app.extensions import db
from app.views.form_input import LARGEST


class SearchSelectWidget:
    def __init__(self, endpoint: str, placeholder=lazy_gettext("Type to search")):
        self.endpoint = endpoint
        self.placeholder = placeholder

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        placeholder = kwargs.pop("placeholder", None) or self.placeholder or gettext("Type to search")
        attrs = html_params(name=field.name, class_="form-control oh-search-select",
                            **{"data-endpoint": url_for(self.endpoint),
                               "data-placeholder": str(self.placeholder)}, **kwargs)
        option = ""
        if field.object is not None:
            option = (f'<option value="{escape(field.object.id)}" selected>'
                      f"{escape(str(field.object))}</option>")
        return Markup(f"<select {attrs}>{option}</select>")


class SearchSelectField(Field):
    """Holds a related object; the browser sends its primary key."""

    def __init__(self, label=None, validators=None, model=None, endpoint=None, **kwargs):
        super().__init__(label, validators, widget=SearchSelectWidget(endpoint), **kwargs)
        self.model = model
        self.object = None

    def process_data(self, value):
        self.object = value
        self.data = value

    def process_formdata(self, valuelist):
        self.object = None
        self.data = None
        if valuelist and valuelist[0] not in ("", None):
            try:
                pk = int(valuelist[0])
            except (TypeError, ValueError):
                raise ValueError("Choose an entry from the search results.") from None
            self.object = db.session.get(self.model, pk) if abs(pk) <= LARGEST else None
            if self.object is None:
                raise ValueError("The chosen entry does not exist any more.")
            self.data = self.object

    def _value(self):
        return self.object.id if self.object is not None else ""
