"""Encryption of channel and provider credentials at rest (Fernet, key from configuration)."""
from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken

_fernet: Fernet | None = None


def set_key(key: str | bytes) -> None:
    global _fernet
    _fernet = Fernet(key if isinstance(key, bytes) else key.encode())


def _require() -> Fernet:
    if _fernet is None:
        raise RuntimeError("credentials key not configured (CREDENTIALS_KEY)")
    return _fernet


def encrypt_json(value) -> str:
    return _require().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str):
    try:
        return json.loads(_require().decrypt(token.encode()))
    except InvalidToken as exc:
        raise RuntimeError("stored credentials cannot be decrypted with the configured "
                           "CREDENTIALS_KEY") from exc


def generate_key() -> str:
    return Fernet.generate_key().decode()
