"""Channel sync on the REST API: POST /api/v1/channel/<id>/sync (SPEC §8).

Body ``{"scope": "products" | "orders" | "stock" | "prices" | "push_products"}`` (``push_products``
may name ``product_ids``); answers 202 ``{"job_id": …}``; a refused sync 409/422 ``{"message": …}``.
"""
from __future__ import annotations

from flask_appbuilder.api import expose, protect, safe

from app.api.actions import accepted, json_body, out_of_scope, run_action
from app.extensions import db
from app.models import Channel
from app.services.channel_sync import start_sync
from app.services.errors import N_, ValidationError


def _start(pk: int, scope: str, product_ids):
    from jobs.queue import enqueue_after_commit
    channel = db.session.get(Channel, pk)
    params = None
    if scope == "push_products" and product_ids is not None:
        if not isinstance(product_ids, list) or not all(isinstance(i, int) for i in product_ids):
            raise ValidationError("product_ids", N_("product_ids must be a list of product ids."))
        params = {"product_ids": product_ids}
    job = start_sync(db.session, channel, scope, enqueue=enqueue_after_commit, params=params)
    db.session.commit()
    return job


class ChannelSyncActions:
    """Mixed into the ``channel`` ModelRestApi; permitted as ``can_sync``."""

    @expose("/<int:pk>/sync", methods=["POST"])
    @protect()
    @safe
    def sync(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        body = json_body()
        job, error = run_action(self, _start, pk, str(body.get("scope") or ""), body.get("product_ids"))
        return error or accepted(self, job)


MIXINS = {"channel": [(ChannelSyncActions, {"sync": "sync"})]}
