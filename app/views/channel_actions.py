"""Channel page buttons: Connect, Pull products, Push products, Pull orders, Push stock, Push prices.

Connect sends the browser through the marketplace's authorization page (app/web/channel_connect.py);
the sync buttons start one job each (Supervisor: "sync"; the bulk_* versions start one job per
selected channel). The channel's page lists its jobs and their messages — the channel's sync log.
"""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_appbuilder.actions import action
from flask_babel import gettext, lazy_gettext as _l

from app.extensions import db
from app.services.channel_sync import start_sync
from app.web.i18n import phrase_text

LABELS = {"products": _l("Pull products"), "push_products": _l("Push products"),
          "orders": _l("Pull orders"), "stock": _l("Push stock"), "prices": _l("Push prices")}


def _many(items):
    return items if isinstance(items, list) else [items]


def _start(channel, scope):
    from jobs.queue import enqueue_after_commit
    job = start_sync(db.session, channel, scope, enqueue=enqueue_after_commit)
    db.session.commit()
    return job


class ChannelViewActions:
    """Mixed into ChannelView."""

    job_target_type = "channel"
    # Connect leaves for the marketplace's authorization page: a link, not a form.
    action_links = {"connect": lambda pk: url_for("channel_connect.start", channel_id=pk)}
    permission_aliases = {"pull_products": "sync", "push_products": "sync", "pull_orders": "sync",
                          "push_stock": "sync", "push_prices": "sync"}

    def _back(self, channel_id):
        return redirect(url_for("ChannelView.show", pk=channel_id))

    def _sync_one(self, items, scope):
        channel = _many(items)[0]
        job = self.run_service(_start, channel, scope)
        if job is not None:
            flash(gettext("Job #%(id)s started: %(title)s. Its progress and messages are listed "
                          "below.", id=job.id, title=phrase_text(job.title_phrase)), "info")
        return self._back(channel.id)

    def _sync_many(self, items, scope):
        started = []
        for channel in _many(items):
            job = self.run_service(_start, channel, scope)
            if job is not None:
                started.append(f"#{job.id} {channel.name}")
        if started:
            flash(gettext("%(action)s: jobs started for %(channels)s.", action=LABELS[scope],
                          channels=", ".join(started)), "info")
        return redirect(url_for("ChannelView.list"))

    @action("connect", _l("Connect"), _l("Open the marketplace's authorization page for this shop?"),
            "fa-plug", multiple=False)
    def connect(self, items):
        return redirect(url_for("channel_connect.start", channel_id=_many(items)[0].id))

    @action("pull_products", _l("Pull products"), _l("Pull this shop's products (match by SKU)?"),
            "fa-download", multiple=False)
    def pull_products(self, items):
        return self._sync_one(items, "products")

    @action("push_products", _l("Push products"),
            _l("Create our products that are not on this shop yet?"), "fa-upload", multiple=False)
    def push_products(self, items):
        return self._sync_one(items, "push_products")

    @action("pull_orders", _l("Pull orders"), _l("Pull new and changed orders from this shop now?"),
            "fa-shopping-cart", multiple=False)
    def pull_orders(self, items):
        return self._sync_one(items, "orders")

    @action("push_stock", _l("Push stock"), _l("Push the available stock of every listing now?"),
            "fa-cubes", multiple=False)
    def push_stock(self, items):
        return self._sync_one(items, "stock")

    @action("push_prices", _l("Push prices"),
            _l("Push the price (VAT included) of every listing now?"), "fa-tag", multiple=False)
    def push_prices(self, items):
        return self._sync_one(items, "prices")

    @action("bulk_pull_products", _l("Pull products of selected"),
            _l("Pull products of the selected shops?"), "fa-download", single=False)
    def bulk_pull_products(self, items):
        return self._sync_many(items, "products")

    @action("bulk_push_products", _l("Push products to selected"),
            _l("Create our missing products on the selected shops?"), "fa-upload", single=False)
    def bulk_push_products(self, items):
        return self._sync_many(items, "push_products")

    @action("bulk_pull_orders", _l("Pull orders of selected"),
            _l("Pull orders from the selected shops?"), "fa-shopping-cart", single=False)
    def bulk_pull_orders(self, items):
        return self._sync_many(items, "orders")

    @action("bulk_push_stock", _l("Push stock to selected"), _l("Push stock to the selected shops?"),
            "fa-cubes", single=False)
    def bulk_push_stock(self, items):
        return self._sync_many(items, "stock")

    @action("bulk_push_prices", _l("Push prices to selected"),
            _l("Push prices to the selected shops?"), "fa-tag", single=False)
    def bulk_push_prices(self, items):
        return self._sync_many(items, "prices")
