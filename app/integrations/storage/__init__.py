"""Where uploaded files live (product images and videos, catalogue files waiting for their import):
a folder under the instance directory, or an S3-compatible bucket in production. One small
interface, ``FileStorage``; ``build_storage(config)`` picks the implementation by configuration
(``MEDIA_STORAGE=local|s3``) and ``create_app`` hands it to the app (``app.extensions``)."""
from __future__ import annotations

from app.integrations.storage.base import FileStorage, StorageError, check_key
from app.integrations.storage.local import LocalStorage
from app.integrations.storage.s3 import S3Storage

__all__ = ["FileStorage", "StorageError", "LocalStorage", "S3Storage", "build_storage", "check_key"]


def build_storage(config) -> FileStorage:
    kind = (config.get("MEDIA_STORAGE") or "local").lower()
    if kind == "s3":
        return S3Storage(endpoint=config["S3_ENDPOINT_URL"], bucket=config["S3_BUCKET"],
                         region=config.get("S3_REGION") or "us-east-1",
                         access_key=config["S3_ACCESS_KEY_ID"],
                         secret_key=config["S3_SECRET_ACCESS_KEY"],
                         path_style=(config.get("S3_ADDRESSING") or "path") == "path")
    if kind != "local":
        raise ValueError(f"MEDIA_STORAGE must be 'local' or 's3', not {kind!r}")
    return LocalStorage(config["MEDIA_FOLDER"])
