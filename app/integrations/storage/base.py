"""The storage interface and the key rule every implementation shares."""
from __future__ import annotations

import re
from typing import Protocol

from app.integrations.base import PermanentError

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class StorageError(PermanentError):
    """A file could not be stored, read or removed."""


def check_key(key: str) -> str:
    """Keys are made by OrderHub ("media/12/3f9c….jpg"); anything else (``..``, a leading ``/``)
    is refused before it reaches a disk or a bucket."""
    if not isinstance(key, str) or len(key) > 255 or not _KEY.fullmatch(key) or ".." in key:
        raise StorageError(f"Not a storage key: {key!r}", provider="storage")
    return key


class FileStorage(Protocol):
    def save(self, key: str, data: bytes, content_type: str) -> None: ...

    def load(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def download_url(self, key: str, *, expires: int, filename: str | None = None) -> str | None:
        """A URL the browser may fetch the file from directly (a presigned bucket URL), or None
        when the app itself must send the file (``local_path``)."""
        ...

    def local_path(self, key: str):
        """The file on this machine's disk, or None."""
        ...
