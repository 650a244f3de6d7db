"""Province and ward selects for address forms: chosen from today's administrative divisions by
search-as-you-type (app/static/js/address_select.js, look-ups in app/web/lookup.py); choosing
another province clears the ward. The value is the unit's name as the GSO writes it; the services
check it (app.services.addresses) and keep its code."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext
from markupsafe import Markup, escape
from wtforms import StringField
from wtforms.widgets import html_params


class DivisionSelectWidget:
    def __init__(self, kind: str, province_field: str | None = None):
        self.kind = kind
        self.province_field = province_field

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        data = {"data-endpoint": url_for(f"lookup.{self.kind}s"),
                "data-placeholder": str(lazy_gettext("Choose the province") if self.kind == "province"
                                        else lazy_gettext("Choose the ward")),
                "data-no-results": str(lazy_gettext("No match")),
                "data-searching": str(lazy_gettext("Searching…")),
                "data-error-loading": str(lazy_gettext("The list could not be loaded.")),
                "data-needs-province": str(lazy_gettext("Choose the province first"))}
        if self.province_field:
            data["data-province-field"] = self.province_field
        attrs = html_params(name=field.name, class_=f"form-control oh-{self.kind}-select",
                            **data, **kwargs)
        value = field._value()
        option = f'<option value="{escape(value)}" selected>{escape(value)}</option>' if value else ""
        return Markup(f'<select {attrs}><option value=""></option>{option}</select>')


def province_field(label=None, **kwargs) -> StringField:
    return StringField(label or lazy_gettext("Province"), widget=DivisionSelectWidget("province"),
                       **kwargs)


def ward_field(province_field_id: str, label=None, **kwargs) -> StringField:
    return StringField(label or lazy_gettext("Ward"),
                       widget=DivisionSelectWidget("ward", province_field_id), **kwargs)
