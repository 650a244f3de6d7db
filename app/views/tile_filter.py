"""The order list opened from a dashboard tile ("Need attention 16") lists exactly the orders the
tile counts: ``/orderview/list/?tile=attention`` applies the tile's own conditions
(``services.dashboard.tile_criteria``), through sorting, paging and CSV export."""
from __future__ import annotations

from flask import current_app, request
from flask_appbuilder.models.filters import BaseFilter

from app.extensions import db
from app.services import dashboard


def _zone() -> str:
    return current_app.config.get("SHOW_TIMEZONE", "Asia/Ho_Chi_Minh")


class TileFilter(BaseFilter):
    name = "Dashboard tile"
    arg_name = "tile"

    def apply(self, query, value):
        criteria = dashboard.tile_criteria(db.session, value, _zone())
        return query if criteria is None else query.filter(*criteria)


def requested_tile() -> tuple[str, str] | None:
    """(name, label) of the tile the list was opened from, if any."""
    name = request.args.get("tile", "")
    for tile_name, label, _money in dashboard.TILES:
        if tile_name == name:
            return tile_name, label
    return None


class TileFiltered:
    """Mixed into the order views: ``?tile=<name>`` narrows the list to the tile's orders."""

    def tile_filters(self, filters):
        """``filters`` joined with the requested tile's conditions (or as they are)."""
        tile = requested_tile()
        if tile is None:
            return filters
        extra = self.datamodel.get_filters()
        extra.add_filter("id", TileFilter, tile[0])
        return filters.get_joined_filters(extra)

    def _get_list_widget(self, filters, *args, **kwargs):
        return super()._get_list_widget(self.tile_filters(filters), *args, **kwargs)

    def render_template(self, template, **kwargs):
        tile = requested_tile()
        if tile is not None and template == self.list_template:
            kwargs["tile_label"] = tile[1]
        return super().render_template(template, **kwargs)
