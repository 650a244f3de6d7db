"""Plain Flask endpoints outside Flask-AppBuilder: health, look-ups for search selects, webhooks,
the storefront API and the sandboxes."""
from __future__ import annotations


WEB_MODULES = ("app.web.storefront", "app.web.webhooks_marketplaces", "app.web.webhooks_carriers",
               "app.web.channel_connect")


def register_web(app) -> None:
    from app.extensions import csrf
    from app.web import actor
    from app.web.health import bp as health_bp
    actor.install()
    from app.web.lookup import bp as lookup_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(lookup_bp)
    # Webhooks and other machine-to-machine endpoints: signed or token-checked, not CSRF-protected.
    import importlib
    for name in WEB_MODULES:
        module = importlib.import_module(name)
        app.register_blueprint(module.bp)
        csrf.exempt(module.bp)

    if app.config.get("SANDBOX_ENABLED"):
        from app.sandbox.mount import mount_sandboxes
        for bp in mount_sandboxes(app):
            csrf.exempt(bp)
        if not app.config.get("SANDBOX_ACCESS_LOG"):
            _quiet_sandbox_requests()

    # Browsers ask for /favicon.ico whatever the page says.
    app.add_url_rule("/favicon.ico", "favicon",
                     lambda: app.send_static_file("favicon.ico"))

    from app.web.filters import register_filters
    register_filters(app)

    from app.web import security_headers
    security_headers.install(app)


class _NotSandbox:
    """Drops the development server's access-log lines of requests to the sandboxes: the
    demo's own clients call them hundreds of times a minute, burying everything else."""

    def filter(self, record) -> bool:
        return "/sandbox/" not in record.getMessage()


def _quiet_sandbox_requests() -> None:
    import logging
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, _NotSandbox) for f in logger.filters):
        logger.addFilter(_NotSandbox())
