"""Connecting a marketplace shop in the browser.

``GET /channels/<id>/connect`` sends the seller to the marketplace's authorization page; the
marketplace sends the browser back to ``GET /channels/callback`` with a single-use ``code`` (and
Shopee's ``shop_id``) and our ``state``, which must be the one this user's session was given —
a callback nobody here started is refused. Only users granted the Channel "connect" action
(Supervisor, Admin) may do either.
"""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext
from flask_login import current_user

from app.web.i18n import error_text
from app.extensions import db
from app.models import Channel
from app.services.channel_connect import (ShopAlreadyConnected, authorization_link,
                                          channel_of_state, complete_connection, new_state)
from app.services.errors import DomainError
from app.services.integration_log import recorder

bp = Blueprint("channel_connect", __name__, url_prefix="/channels")
STATE_KEY = "channel_connect_state"


def _allowed() -> bool:
    if not current_user.is_authenticated:
        return False
    return current_app.appbuilder.sm.has_access("can_connect", "Channel")


def _guard():
    if not current_user.is_authenticated:
        return redirect(url_for("AuthDBView.login", next=request.full_path))
    if not _allowed():
        abort(403)
    return None


def _shop_held(channel: Channel, exc: ShopAlreadyConnected):
    """A page of its own, not a flash: the seller must see which channel holds the shop. (Answered
    200 like the panel's other refusals: the browser shows the page, not a failed request.)"""
    appbuilder = current_app.appbuilder
    holder = db.session.get(Channel, exc.holder_id)
    return render_template("orderhub/shop_held.html", base_template=appbuilder.base_template,
                           appbuilder=appbuilder, message=error_text(exc), channel=channel,
                           holder=holder)


def _channel_page(channel_id=None):
    if channel_id:
        return redirect(url_for("ChannelView.show", pk=channel_id))
    return redirect(url_for("ChannelView.list"))


@bp.get("/<int:channel_id>/connect")
def start(channel_id: int):
    if (denied := _guard()) is not None:
        return denied
    channel = db.session.get(Channel, channel_id)
    if channel is None:
        abort(404)
    state = new_state(channel)
    try:
        link = authorization_link(channel, url_for("channel_connect.callback", _external=True), state,
                                  on_exchange=recorder(db.session, channel_id=channel.id))
    except DomainError as exc:
        flash(error_text(exc), "danger")
        return _channel_page(channel.id)
    session[STATE_KEY] = state
    return redirect(link)


@bp.get("/callback")
def callback():
    if (denied := _guard()) is not None:
        return denied
    state = request.args.get("state") or ""
    expected = session.pop(STATE_KEY, None)
    if not state or state != expected:
        flash(gettext("This authorization answer does not match a Connect started here; start "
                      "Connect again."), "danger")
        return _channel_page()
    try:
        channel = channel_of_state(db.session, state)
    except DomainError as exc:
        flash(error_text(exc), "danger")
        return _channel_page()
    if request.args.get("error"):
        flash(gettext("%(channel)s: the marketplace answered %(error)s; nothing was changed.",
                      channel=channel.name, error=request.args["error"]), "warning")
        return _channel_page(channel.id)
    try:
        complete_connection(db.session, channel, request.args.get("code"),
                            shop_id=request.args.get("shop_id"),
                            on_exchange=recorder(db.session, channel_id=channel.id))
    except ShopAlreadyConnected as exc:
        db.session.rollback()
        return _shop_held(channel, exc)
    except DomainError as exc:
        db.session.rollback()
        flash(error_text(exc), "danger")
        return _channel_page(channel.id)
    flash(gettext("%(channel)s is connected (shop %(shop)s). Pull products next.",
                  channel=channel.name, shop=channel.shop_id), "success")
    return _channel_page(channel.id)
