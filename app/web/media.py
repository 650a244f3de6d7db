"""Serving product media: the storage the app was configured with, staff URLs (checked against the
user's permission by ``ProductMediaView``), and signed, expiring links for people outside the back
office — a shopper the sales assistant answers with a product's picture.

- ``media_src(media, thumb=True)``: the URL a back-office page shows (permission-checked).
- ``shared_media_url(media)``: an absolute URL anyone holding it may fetch until it expires;
  served by ``/media/shared/<token>`` after checking the token's signature and age.
- ``send_media(media, thumb)``: the response for a file (sent from disk, or a redirect to a
  short-lived presigned bucket URL).
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, send_file, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.extensions import db
from app.integrations.storage import build_storage
from app.models import ProductMedia

bp = Blueprint("media", __name__, url_prefix="/media")
SHARED_SECONDS = 7 * 24 * 3600
PRESIGNED_SECONDS = 300
_SALT = "orderhub-shared-media"


def init_storage(app) -> None:
    config = dict(app.config)
    if not config.get("MEDIA_FOLDER"):
        instance = os.environ.get("ORDERHUB_INSTANCE") or Path(app.root_path).parent / "instance"
        config["MEDIA_FOLDER"] = str(Path(instance) / "media")
        app.config["MEDIA_FOLDER"] = config["MEDIA_FOLDER"]
    app.extensions["orderhub_storage"] = build_storage(config)
    app.register_blueprint(bp)


def storage(app=None):
    return (app or current_app).extensions["orderhub_storage"]


def media_limits(app=None):
    from app.services.catalog.media import Limits
    config = (app or current_app).config
    return Limits(image_bytes=int(config.get("MEDIA_MAX_IMAGE_MB", 10)) * 1048576,
                  video_bytes=int(config.get("MEDIA_MAX_VIDEO_MB", 100)) * 1048576)


def media_src(media: ProductMedia | None, thumb: bool = True) -> str | None:
    """The back-office URL of a medium (its thumbnail by default); an external URL as it is."""
    if media is None:
        return None
    if not media.file:
        return media.url
    if thumb and media.thumbnail:
        return url_for("ProductMediaView.thumb", pk=media.id)
    return url_for("ProductMediaView.file", pk=media.id)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def shared_media_url(media: ProductMedia, *, thumb: bool = False) -> str:
    """An absolute link to the file that works without signing in, for SHARED_SECONDS."""
    if not media.file:
        return media.url or ""
    token = _serializer().dumps({"m": media.id, "t": bool(thumb)})
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return base + url_for("media.shared", token=token)


def send_media(media: ProductMedia, thumb: bool = False):
    key = media.thumbnail if thumb and media.thumbnail else media.file
    if not key:
        if media.url:
            return redirect(media.url)
        abort(404)
    store = storage()
    name = media.original_name if not thumb else None
    url = store.download_url(key, expires=PRESIGNED_SECONDS, filename=name)
    if url:
        return redirect(url)
    path = store.local_path(key)
    if path is None:
        abort(404)
    content_type = "image/jpeg" if key == media.thumbnail else (media.content_type or
                                                                "application/octet-stream")
    response = send_file(path, mimetype=content_type, conditional=True, max_age=3600,
                         download_name=name or Path(key).name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/shared/<token>")
def shared(token: str):
    try:
        payload = _serializer().loads(token, max_age=SHARED_SECONDS)
    except SignatureExpired:
        abort(410)
    except BadSignature:
        abort(404)
    media = db.session.get(ProductMedia, int(payload.get("m", 0)))
    if media is None:
        abort(404)
    return send_media(media, thumb=bool(payload.get("t")))
