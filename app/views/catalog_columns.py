"""How catalogue lists show what is particular to a shop: the variant attributes' own names as
column titles ("Màu", "Size" rather than "Attribute 1/2"), and each product's cover image.

A list's titles are made once per view, before any row is known; here the title of a value column
is worked out when the page is drawn, from the products of the rows the page loaded (the
interface notes them on ``flask.g``). A page of one product's variants shows its names; a page
mixing products shows each name once ("Màu / Kích cỡ").
"""
from __future__ import annotations

from flask import g, has_request_context
from flask_babel import gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload

from app.models import MediaKind, Product, ProductMedia
from app.views.interface import OrderHubInterface

_KEY = "oh_attribute_titles"


def attribute_names(variants) -> dict[int, list[str]]:
    """Attribute number → the distinct names the variants' products give it, in order."""
    names: dict[int, list[str]] = {1: [], 2: [], 3: []}
    for variant in variants:
        product = getattr(variant, "product", None)
        if product is None:
            continue
        for index, name in enumerate(product.attribute_names[:3], start=1):
            if name not in names[index]:
                names[index].append(name)
    return names


def _title(index: int) -> str:
    noted = g.get(_KEY) if has_request_context() else None
    names = (noted or {}).get(index)
    if names:
        return " / ".join(names[:3]) + (" …" if len(names) > 3 else "")
    if noted is not None and noted.get("listing"):
        return ""  # no product on this page has that attribute: an empty column, untitled
    return gettext("Attribute %(number)s", number=index)


def attribute_title(index: int) -> LazyString:
    return LazyString(_title, index)


class VariantInterface(OrderHubInterface):
    """Notes the attribute names of the variants a page shows (see ``attribute_title``)."""

    def _note(self, variants, listing: bool = False) -> None:
        if has_request_context():
            setattr(g, _KEY, {**attribute_names(variants), "listing": listing})

    def query(self, *args, **kwargs):
        count, rows = super().query(*args, **kwargs)
        self._note(rows, listing=True)
        return count, rows

    def get(self, *args, **kwargs):
        item = super().get(*args, **kwargs)
        if item is not None:
            self._note([item])
        return item


class ProductInterface(OrderHubInterface):
    """Loads each listed product's media in one more query (for its cover image)."""

    def _eager_options(self):
        return super()._eager_options() + [selectinload(Product.media)]


def cover_cell(media) -> Markup:
    """A list cell with the product's first image as a thumbnail (empty without one)."""
    from app.web.media import media_src
    if not isinstance(media, ProductMedia) or media.kind != MediaKind.IMAGE:
        return Markup("")
    src = media_src(media)
    if not src:
        return Markup("")
    return Markup(f'<img src="{escape(src)}" class="oh-thumb" alt="" loading="lazy">')
