"""Search without accents in Flask-AppBuilder's lists and REST filters.

A model with a folded ``search_text`` column (products, variants, customers) offers it as one
search field, "Search (with or without accents)", whose only filter is ``FilterFolded``: the typed
words, folded, against the column (``app.services.catalog.search``). A product is also found
through its variants (its colours and sizes). On the REST API the filter is
``{"col": "search_text", "opr": "search", "value": "binh giu"}`` in the ``q`` argument.
"""
from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import SQLAFilterConverter
from flask_babel import lazy_gettext

from app.models import Product
from app.services.catalog import search
from app.views.phone_search import PHONE_COLUMNS, phone_filters

SEARCH_COLUMN = "search_text"
SEARCH_LABEL = lazy_gettext("Search (with or without accents)")


class FilterFolded(BaseFilter):
    name = lazy_gettext("Contains the words")
    arg_name = "search"

    def apply(self, query, value):
        text = " ".join(value) if isinstance(value, (list, tuple)) else str(value or "")
        if self.model is Product:
            match = search.find_products(query.session, text)
        else:
            match = search.find(query.session, getattr(self.model, SEARCH_COLUMN), text)
        return query if match is None else query.filter(match.condition)


class FoldedFilterConverter(SQLAFilterConverter):
    """The default filters, except that the folded search column has only its own."""

    def convert(self, col_name):
        if col_name == SEARCH_COLUMN:
            return [FilterFolded(col_name, self.datamodel)]
        if col_name in PHONE_COLUMNS:
            return phone_filters(super().convert(col_name))
        return super().convert(col_name)
