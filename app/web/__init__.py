"""Plain Flask endpoints outside Flask-AppBuilder: health, look-ups for search selects, webhooks,
the storefront API and the sandboxes."""
from __future__ import annotations


def register_web(app) -> None:
    from app.extensions import csrf
    from app.web.health import bp as health_bp
    from app.web.lookup import bp as lookup_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(lookup_bp)

    if app.config.get("SANDBOX_ENABLED"):
        from app.sandbox.mount import mount_sandboxes
        for bp in mount_sandboxes(app):
            csrf.exempt(bp)

    from app.web.filters import register_filters
    register_filters(app)
