"""Template filters: money in VND and times in the seller's zone."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def register_filters(app) -> None:
    zone = ZoneInfo(app.config.get("SHOW_TIMEZONE", "Asia/Ho_Chi_Minh"))

    @app.template_filter("vnd")
    def vnd(value):
        try:
            return f"{int(value):,}".replace(",", ".")
        except (TypeError, ValueError):
            return ""

    @app.template_filter("localtime")
    def localtime(value):
        if not isinstance(value, dt.datetime):
            return value or ""
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
