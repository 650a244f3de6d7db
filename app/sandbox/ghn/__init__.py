"""GHN (Giao Hàng Nhanh) API v2 sandbox: ``create_blueprint()``, ``DEMO_CREDENTIALS``, ``AREAS``.

``DEMO_CREDENTIALS = {"token": str, "shop_id": int}`` — the ``Token`` and ``ShopId`` headers the
sandbox accepts. ``AREAS`` is GHN's province → district → ward fixture (see :mod:`.areas`).
"""
from .areas import AREAS
from .routes import DEMO_CREDENTIALS, create_blueprint

__all__ = ["AREAS", "DEMO_CREDENTIALS", "create_blueprint"]
