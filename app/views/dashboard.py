"""The landing page after login: today at a glance, then the charts a person would rather look at
than read (orders by channel and state, sales per day, parcels by state), then what needs doing."""
from __future__ import annotations

from flask import current_app, g, redirect, url_for
from flask_appbuilder import IndexView, expose
from flask_babel import get_locale, gettext

from app.extensions import db
from app.security.row_rules import assigned_warehouse_ids
from app.services import dashboard, tallies
from app.web import charts
from app.web.formatting import enum_label, format_vnd


def _orders_url(**filters) -> str:
    """The order list filtered as a chart's bar is ("_flt_0_status=packed")."""
    args = {f"_flt_0_{name}": value for name, value in filters.items() if value is not None}
    return url_for("OrderView.list", **args)


class DashboardIndexView(IndexView):
    index_template = "orderhub/dashboard.html"

    @expose("/")
    def index(self):
        user = g.user
        if user is None or not user.is_authenticated:
            return redirect(url_for("AuthDBView.login"))
        s, zone = db.session, current_app.config.get("SHOW_TIMEZONE", "Asia/Ho_Chi_Minh")
        if tallies.fold_if_long(s):
            s.commit()
        scope = assigned_warehouse_ids()
        vietnamese = str(get_locale() or "en").startswith("vi")
        by_channel = dashboard.orders_by_channel_and_status(s, warehouse_ids=scope)
        channel_chart = charts.stacked_rows(
            [(name, [(state, counts.get(state, 0), f"{name} — {enum_label(state)}: "
                      f"{counts.get(state, 0)}", _orders_url(status=state, channel=cid))
                     for state in by_channel["statuses"]])
             for cid, name, counts in by_channel["rows"]], css_class="orders-by-channel")
        channel_legend = charts.legend([(state, enum_label(state))
                                        for state in by_channel["statuses"]])
        revenue = dashboard.revenue_per_day(s, zone, warehouse_ids=scope)
        day_format = "%d/%m" if vietnamese else "%m-%d"
        revenue_chart = charts.columns(
            [(day.strftime(day_format), total, f"{day.strftime(day_format)}: {format_vnd(total)}")
             for day, total in revenue], decimal_comma=vietnamese, css_class="revenue-per-day")
        parcels = dashboard.shipments_by_status(s, warehouse_ids=scope)
        parcel_chart = charts.bars([(state, enum_label(state), count,
                                     url_for("ShipmentView.list", _flt_0_status=state))
                                    for state, count in parcels], css_class="shipments-by-status")
        return self.render_template(
            self.index_template, tiles=dashboard.tiles(s, zone, warehouse_ids=scope),
            channel_chart=channel_chart, channel_legend=channel_legend,
            has_orders=bool(by_channel["rows"]),
            revenue_chart=revenue_chart, revenue_total=sum(v for _, v in revenue),
            parcel_chart=parcel_chart, has_parcels=bool(parcels),
            low_stock=dashboard.low_stock(s, warehouse_ids=scope),
            failed_jobs=dashboard.failed_jobs(s), invoices_to_check=dashboard.invoices_to_check(s))
