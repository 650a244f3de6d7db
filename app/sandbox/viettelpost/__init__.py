"""Viettel Post partner API v2 sandbox: ``create_blueprint()``, ``DEMO_CREDENTIALS``, ``AREAS``.

``DEMO_CREDENTIALS = {"username": str, "password": str}`` — the shop account ``/v2/user/Login``
and ``/v2/user/ownerconnect`` accept. Callbacks carry ``webhook_token`` (default
``DEFAULT_WEBHOOK_TOKEN``) in their ``TOKEN`` field. ``AREAS`` is Viettel Post's province →
district → ward fixture (see :mod:`.areas`).
"""
from .areas import AREAS
from .routes import DEFAULT_WEBHOOK_TOKEN, DEMO_CREDENTIALS, create_blueprint

__all__ = ["AREAS", "DEFAULT_WEBHOOK_TOKEN", "DEMO_CREDENTIALS", "create_blueprint"]
