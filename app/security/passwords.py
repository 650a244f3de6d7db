"""The password rule for every account, wherever a password is set: the user list's "add" form,
"reset password" (a user's own and an admin's), the users API, Flask-AppBuilder's CLI
(``flask fab create-user``, ``create-admin``, ``reset-password``) and the demo users.

At least ``MIN_LENGTH`` characters, not containing the user name, and not one of the commonly used
passwords shipped in ``common_passwords.txt``. Messages are English templates marked for
translation; the web layer shows them in the reader's language.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from app.services.errors import N_, ValidationError

MIN_LENGTH = 10
TOO_SHORT = N_("The password must be at least %(min)s characters long.")
HAS_USERNAME = N_("The password must not contain the user name.")
TOO_COMMON = N_("This password is one of the most commonly used: choose another.")
RULE = N_("At least 10 characters, not containing the user name, not a commonly used password.")


class PasswordRejected(ValidationError):
    """The password breaks the rule; ``message`` says which part."""

    def __init__(self, message: str, /, **details):
        super().__init__("password", message, **details)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = (Path(__file__).with_name("common_passwords.txt")).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def check_password(password: str | None, username: str | None) -> None:
    """Raise PasswordRejected naming the first rule ``password`` breaks for user ``username``."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(TOO_SHORT, min=MIN_LENGTH)
    name = (username or "").strip().casefold()
    if name and name in password.casefold():
        raise PasswordRejected(HAS_USERNAME)
    if password.strip().casefold() in common_passwords():
        raise PasswordRejected(TOO_COMMON)
