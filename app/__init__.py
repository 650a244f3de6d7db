"""OrderHub: the application factory."""
from __future__ import annotations

import logging

from flask import Flask

log = logging.getLogger(__name__)


def create_app(config_object=None, **overrides) -> Flask:
    """Build the app. ``config_object`` defaults to ``config.Config``; ``overrides`` win over it."""
    from flask_appbuilder import AppBuilder

    from app.extensions import csrf, db, migrate
    from app.security import crypto
    from app.security.roles import fab_roles

    app = Flask(__name__, template_folder="../templates", static_folder="static",
                instance_relative_config=False)
    if config_object is None:
        from config import Config as config_object
    from app.web.inbound import BoundedJSONProvider
    app.json = BoundedJSONProvider(app)
    app.config.from_object(config_object)
    app.config.update(overrides)
    app.config["FAB_ROLES"] = fab_roles()
    from app.security import login
    login.configure(app)  # sign-in limits, password rule: read by FAB and Flask-Limiter at start
    if app.config.get("TRUSTED_PROXIES"):  # the client's address, not the proxy's, is counted
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)

    crypto.set_key(app.config["CREDENTIALS_KEY"])
    db.init_app(app)
    from app.bootstrap import install_session_hooks
    install_session_hooks(db.session)  # numbering, totals, ledger, audit… and what follows a commit
    is_sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    migrate.init_app(app, db, render_as_batch=is_sqlite, compare_type=True)
    csrf.init_app(app)

    with app.app_context():
        if is_sqlite:
            _sqlite_pragmas(db.engine)
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        from app.views import register_views
        from app.api import register_apis
        register_views(appbuilder)
        register_apis(appbuilder)

    from app.web import register_web
    register_web(app)

    from app.cli import register_cli
    register_cli(app)

    from app.web.media import init_storage
    init_storage(app)

    from jobs.queue import init_queue
    init_queue(app)
    return app


def _sqlite_pragmas(engine) -> None:
    import sqlalchemy as sa

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _):
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
