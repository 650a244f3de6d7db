"""Flask CLI commands: roles, stock verification, sandbox credentials, demo data, users."""
from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup


def register_cli(app) -> None:
    roles = AppGroup("roles", help="Roles and permissions.")
    stock = AppGroup("stock", help="Stock ledger checks.")
    sandbox = AppGroup("sandbox", help="The built-in provider sandboxes.")
    demo = AppGroup("demo", help="Demo data.")

    @roles.command("sync")
    def roles_sync():
        """Apply the permission matrix declared in app/security/roles.py."""
        from app.security.sync import sync_roles
        report = sync_roles(app)
        click.echo(json.dumps(report, indent=2))

    @stock.command("verify")
    def stock_verify():
        """Recompute every stock level from the ledger; exit 1 when any differs."""
        from app.extensions import db
        from app.cli_stock import verify_stock
        differences = verify_stock(db.session)
        for diff in differences:
            click.echo(diff if isinstance(diff, str) else json.dumps(diff, default=str))
        if differences:
            click.echo(f"{len(differences)} difference(s) between stock levels and the ledger.")
            sys.exit(1)
        click.echo("Stock levels match the ledger.")

    @sandbox.command("credentials")
    def sandbox_credentials():
        """Print the sandboxes' base URLs and demo credentials as JSON."""
        from app.sandbox.mount import demo_credentials
        click.echo(json.dumps(demo_credentials(app), indent=2, ensure_ascii=False))

    @demo.command("load")
    @click.option("--password", envvar="DEMO_PASSWORD", default=None)
    def demo_load(password):
        """Create the demo users and data (once; a second run changes nothing)."""
        from app.demo import load_demo
        from app.security.passwords import PasswordRejected
        try:
            result = load_demo(app, password=password)
        except PasswordRejected as exc:
            raise click.ClickException(f"Password refused: {exc.message}") from None
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))

    for group in (roles, stock, sandbox, demo):
        app.cli.add_command(group)
    from app.cli_providers import register_connection_cli
    register_connection_cli(app)
    from app.cli_catalog import catalog_group
    app.cli.add_command(catalog_group(app))
