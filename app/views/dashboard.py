"""The landing page after login."""
from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose

from app.extensions import db
from app.services import dashboard


class DashboardIndexView(IndexView):
    index_template = "orderhub/dashboard.html"

    @expose("/")
    def index(self):
        user = g.user
        if user is None or not user.is_authenticated:
            return redirect(url_for("AuthDBView.login"))
        s = db.session
        revenue = dashboard.revenue_per_day(s)
        peak = max((v for _, v in revenue), default=0) or 1
        return self.render_template(
            self.index_template,
            by_channel=dashboard.orders_by_channel_and_status(s), revenue=revenue, peak=peak,
            shipments=dashboard.shipments_by_status(s), low_stock=dashboard.low_stock(s),
            failed_jobs=dashboard.failed_jobs(s))
