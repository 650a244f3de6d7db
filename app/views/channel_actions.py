"""Channel page buttons: Connect, Pull products, Push products, Pull orders, Push stock.

Connect sends the browser through the marketplace's authorization page (app/web/channel_connect.py);
the sync buttons start one job each (Supervisor: "sync"; the bulk_* versions start one job per
selected channel). The channel's page lists its jobs — with their progress and messages, that is
the channel's sync log.
"""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_appbuilder.actions import action

import jobs.stock_watch  # noqa: F401  (installs the stock-out listener)
from app.extensions import db
from app.services.channel_sync import start_sync

LABELS = {"products": "Pull products", "push_products": "Push products", "orders": "Pull orders",
          "stock": "Push stock"}


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
    permission_aliases = {"pull_products": "sync", "push_products": "sync", "pull_orders": "sync",
                          "push_stock": "sync"}

    def _back(self, channel_id):
        return redirect(url_for("ChannelView.show", pk=channel_id))

    def _sync_one(self, items, scope):
        channel = _many(items)[0]
        job = self.run_service(_start, channel, scope)
        if job is not None:
            flash(f"Job #{job.id} started: {job.title}. Its progress and messages are listed below.",
                  "info")
        return self._back(channel.id)

    def _sync_many(self, items, scope):
        started = []
        for channel in _many(items):
            job = self.run_service(_start, channel, scope)
            if job is not None:
                started.append(f"#{job.id} {channel.name}")
        if started:
            flash(f"{LABELS[scope]}: jobs started for {', '.join(started)}.", "info")
        return redirect(url_for("ChannelView.list"))

    @action("connect", "Connect", "Open the marketplace's authorization page for this shop?",
            "fa-plug", multiple=False)
    def connect(self, items):
        return redirect(url_for("channel_connect.start", channel_id=_many(items)[0].id))

    @action("pull_products", "Pull products", "Pull this shop's products (match by SKU)?",
            "fa-download", multiple=False)
    def pull_products(self, items):
        return self._sync_one(items, "products")

    @action("push_products", "Push products", "Create our products that are not on this shop yet?",
            "fa-upload", multiple=False)
    def push_products(self, items):
        return self._sync_one(items, "push_products")

    @action("pull_orders", "Pull orders", "Pull new and changed orders from this shop now?",
            "fa-shopping-cart", multiple=False)
    def pull_orders(self, items):
        return self._sync_one(items, "orders")

    @action("push_stock", "Push stock", "Push the available stock of every listing now?",
            "fa-cubes", multiple=False)
    def push_stock(self, items):
        return self._sync_one(items, "stock")

    @action("bulk_pull_products", "Pull products of selected", "Pull products of the selected shops?",
            "fa-download", single=False)
    def bulk_pull_products(self, items):
        return self._sync_many(items, "products")

    @action("bulk_push_products", "Push products to selected",
            "Create our missing products on the selected shops?", "fa-upload", single=False)
    def bulk_push_products(self, items):
        return self._sync_many(items, "push_products")

    @action("bulk_pull_orders", "Pull orders of selected", "Pull orders from the selected shops?",
            "fa-shopping-cart", single=False)
    def bulk_pull_orders(self, items):
        return self._sync_many(items, "orders")

    @action("bulk_push_stock", "Push stock to selected", "Push stock to the selected shops?",
            "fa-cubes", single=False)
    def bulk_push_stock(self, items):
        return self._sync_many(items, "stock")
