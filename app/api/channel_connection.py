"""A channel's app credentials on the REST API (admins only), as on its connection form:

- ``GET /api/v1/channel/<id>/connection``: ``{"settings": {…}, "secrets": {key: "set" | "not set"},
  "missing": […]}`` — never a secret;
- ``PUT /api/v1/channel/<id>/connection`` ``{"credentials.app_key": …, "credentials.app_secret": …}``
  (or nested ``{"credentials": {…}}``): set or replace; 422 names a field breaking its rule;
- ``POST /api/v1/channel/<id>/test_connection``: ``{"ok", "message"}``.
"""
from __future__ import annotations

from flask_appbuilder.api import expose, protect, safe

from app.api.actions import json_body, out_of_scope, run_action
from app.api.provider_accounts import check_json, connection_json, flat
from app.extensions import db
from app.models import Channel
from app.services.connection_check import check_connection
from app.services.connection_settings import save


class ChannelConnectionActions:
    """Mixed into the ``channel`` ModelRestApi; permitted as ``set_credentials`` / ``test_connection``."""

    @expose("/<int:pk>/connection", methods=["GET"])
    @protect()
    @safe
    def connection(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        return self.response(200, id=pk, result=connection_json(db.session.get(Channel, pk)))

    @expose("/<int:pk>/connection", methods=["PUT"])
    @protect()
    @safe
    def set_connection(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        channel = db.session.get(Channel, pk)
        changed, error = run_action(self, save, db.session, channel, flat(json_body()))
        return error or self.response(200, id=pk, changed=changed, result=connection_json(channel))

    @expose("/<int:pk>/test_connection", methods=["POST"])
    @protect()
    @safe
    def test_connection(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        return self.response(200, **check_json(check_connection(db.session, db.session.get(Channel, pk))))


MIXINS = {"channel": [(ChannelConnectionActions, {"connection": "set_credentials",
                                                  "set_connection": "set_credentials",
                                                  "test_connection": "test_connection"})]}
