"""``flask providers …`` and ``flask channels …``: the connection settings from a shell, with the same
fields and checks as the panel's form and the REST API.

    flask providers list
    flask providers show ACCOUNT
    flask providers add PROVIDER name="GHN chính" base_url=https://online-gateway.ghn.vn … --secret credentials.token
    flask providers set ACCOUNT settings.sender.district_id=1455 --secret credentials.password
    echo "$GHN_TOKEN" | flask providers set ACCOUNT --stdin credentials.token
    flask providers test ACCOUNT
    flask channels list
    flask channels credentials show CHANNEL
    flask channels credentials set CHANNEL credentials.app_key=112233 --secret credentials.app_secret
    flask channels test CHANNEL

ACCOUNT / CHANNEL is an id or a name. A secret is never accepted on the command line (it would stay
in the shell's history): ``--secret FIELD`` asks for it without echoing it, ``--stdin FIELD`` reads
it from the first line of standard input. Nothing prints a secret, only "set" or "not set".
"""
from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.services.errors import DomainError


def _session():
    from app.extensions import db
    return db.session


def _find(model, ref: str):
    session = _session()
    record = session.get(model, int(ref)) if ref.isdigit() else None
    if record is None:
        record = session.scalar(sa.select(model).where(model.name == ref))
    if record is None:
        raise click.ClickException(f"No {model.__name__} with id or name {ref!r}.")
    return record


def _values(record_fields, pairs: tuple[str, ...], secrets: tuple[str, ...], from_stdin: tuple[str, ...]) -> dict:
    by_key = {f.key: f for f in record_fields}
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r}: write FIELD=VALUE (e.g. base_url=https://…).")
        if key in by_key and by_key[key].secret:
            raise click.BadParameter(f"{key} is a secret: give it with --secret {key} (asked without echo) or "
                                     f"--stdin {key}, never on the command line.")
        values[key] = value
    for key in secrets:
        values[key] = click.prompt(f"{key}", hide_input=True, default="", show_default=False)
    for key in from_stdin:
        values[key] = sys.stdin.readline().rstrip("\r\n")
    return values


def _save(fn, *args):
    try:
        return fn(_session(), *args)
    except DomainError as exc:
        _session().rollback()
        errors = getattr(exc, "errors", None)
        if isinstance(errors, dict):
            for key, messages in errors.items():
                for message in messages:
                    click.echo(f"  {key}: {message}", err=True)
        raise click.ClickException(f"Nothing was saved: {exc.message}" if not isinstance(errors, dict)
                                   else "Nothing was saved.") from exc


def _set(model, ref: str, pairs, secrets, from_stdin) -> None:
    from app.services.connection_settings import fields_of, save
    record = _find(model, ref)
    changed = _save(save, record, _values(fields_of(record), pairs, secrets, from_stdin))
    click.echo("Saved: " + ", ".join(changed) if changed else "Nothing changed.")


def _show(record) -> None:
    from app.services.connection_settings import describe, missing
    kind = getattr(record, "provider", None) or record.platform.value
    click.echo(f"{record.name} ({kind}, #{record.id})")
    for group, items in describe(_session(), record):
        click.echo(f"[{group}]")
        for item in items:
            shown = ("set" if item.is_set else "not set") if item.field.secret else \
                ("—" if item.value in (None, "") else item.value)
            click.echo(f"  {item.field.key:40} {shown}    ({item.field.label})")
    gaps = missing(_session(), record)
    if gaps:
        click.echo("Still needs: " + ", ".join(f.key for f in gaps))


def _test(record) -> None:
    from app.services.connection_check import check_connection
    check = check_connection(_session(), record)
    click.echo(("OK: " if check.ok else "FAILED: ") + check.message)
    if not check.ok:
        sys.exit(1)


SETTING_OPTIONS = [
    click.argument("pairs", nargs=-1),
    click.option("--secret", "secrets", multiple=True, metavar="FIELD", help="Ask for this secret (no echo)."),
    click.option("--stdin", "from_stdin", multiple=True, metavar="FIELD",
                 help="Read this secret from a line of standard input."),
]


def _setting_options(fn):
    for option in reversed(SETTING_OPTIONS):
        fn = option(fn)
    return fn


def register_connection_cli(app) -> None:
    from app.models import Channel, ProviderAccount
    providers = AppGroup("providers", help="Carrier and e-invoice accounts and their settings.")
    channels = AppGroup("channels", help="Sales channels' app credentials.")
    credentials = AppGroup("credentials", help="A channel's app credentials (write-only secrets).")

    @providers.command("list")
    def providers_list():
        """Every account, and what it still needs."""
        from app.services.connection_settings import missing
        for account in _session().scalars(sa.select(ProviderAccount).order_by(ProviderAccount.id)):
            gaps = missing(_session(), account)
            state = "ready" if not gaps else "needs " + ", ".join(f.key for f in gaps)
            click.echo(f"{account.id:>4}  {account.provider:12} {account.name:36} "
                       f"{'active' if account.active else 'inactive':9} {state}")

    @providers.command("show")
    @click.argument("account")
    def providers_show(account):
        """An account's settings (secrets only as set / not set)."""
        _show(_find(ProviderAccount, account))

    @providers.command("add")
    @click.argument("provider", type=click.Choice(["ghn", "viettelpost", "sinvoice", "misa"]))
    @_setting_options
    def providers_add(provider, pairs, secrets, from_stdin):
        """Add an account: every required FIELD=VALUE, secrets with --secret or --stdin."""
        from app.services.connection_settings import new_account, provider_fields
        account = _save(new_account, provider, _values(provider_fields(provider), pairs, secrets, from_stdin))
        click.echo(f"Added {account.name} (#{account.id}).")

    @providers.command("set")
    @click.argument("account")
    @_setting_options
    def providers_set(account, pairs, secrets, from_stdin):
        """Change FIELD=VALUE settings; --secret / --stdin for secrets."""
        _set(ProviderAccount, account, pairs, secrets, from_stdin)

    @providers.command("test")
    @click.argument("account")
    def providers_test(account):
        """Test the stored connection (exit 1 when the provider refuses or cannot be reached)."""
        _test(_find(ProviderAccount, account))

    @channels.command("list")
    def channels_list():
        """Every channel, whether a shop is connected, and what it still needs."""
        from app.services.connection_settings import missing
        for channel in _session().scalars(sa.select(Channel).order_by(Channel.id)):
            gaps = missing(_session(), channel)
            click.echo(f"{channel.id:>4}  {channel.platform.value:9} {channel.name:36} "
                       f"{'connected' if channel.connected else 'not connected':14} "
                       f"{'' if not gaps else 'needs ' + ', '.join(f.key for f in gaps)}")

    @credentials.command("show")
    @click.argument("channel")
    def channel_credentials_show(channel):
        """A channel's app credentials (secrets only as set / not set)."""
        _show(_find(Channel, channel))

    @credentials.command("set")
    @click.argument("channel")
    @_setting_options
    def channel_credentials_set(channel, pairs, secrets, from_stdin):
        """Set or replace a channel's app credentials."""
        _set(Channel, channel, pairs, secrets, from_stdin)

    @channels.command("test")
    @click.argument("channel")
    def channels_test(channel):
        """Test the connected shop (exit 1 when it fails)."""
        _test(_find(Channel, channel))

    channels.add_command(credentials)
    for group in (providers, channels):
        app.cli.add_command(group)

