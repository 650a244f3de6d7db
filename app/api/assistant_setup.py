"""The assistant's set-up resources (``size_chart``, ``shop_policy``) check their rows against the
catalogue before writing (app.services.assistant.setup)."""
from __future__ import annotations

from app.extensions import db
from app.services.assistant import setup


class SetupChecks:
    def pre_add(self, item):
        super().pre_add(item)
        setup.check(db.session, item)

    def pre_update(self, item):
        super().pre_update(item)
        setup.check(db.session, item)


MIXINS = {"size_chart": [(SetupChecks, {})], "shop_policy": [(SetupChecks, {})]}
