"""Product images and videos: what may be uploaded (told by the file's content, within size
bounds), where it is stored, its thumbnail, its place among the product's media, and which image
stands for a product wherever it is shown (lists, order lines, quick order, the assistant's
answers: ``cover_images``).

Files go to a ``FileStorage`` the caller hands in (a local folder or an S3-compatible bucket);
rows are flushed, never committed.
"""
from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import MediaKind, Product, ProductMedia, ProductVariant
from app.services.errors import N_, NotFound, ValidationError

THUMB_SIZE = (320, 320)
MAX_PIXELS = 50_000_000  # a bigger image is refused rather than decoded (decompression bombs)


@dataclass(frozen=True)
class Limits:
    image_bytes: int = 10 * 1024 * 1024
    video_bytes: int = 100 * 1024 * 1024


@dataclass(frozen=True)
class Sniffed:
    kind: MediaKind
    content_type: str
    extension: str


_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
               b"dash", b"MSNV", b"3gp4", b"3gp5", b"3g2a"}


def sniff(data: bytes) -> Sniffed | None:
    """The file's type from its first bytes (never from its name or the browser's word)."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(MediaKind.IMAGE, "image/jpeg", ".jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(MediaKind.IMAGE, "image/png", ".png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed(MediaKind.IMAGE, "image/gif", ".gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed(MediaKind.IMAGE, "image/webp", ".webp")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return Sniffed(MediaKind.VIDEO, "video/quicktime", ".mov")
        if brand in _MP4_BRANDS:
            return Sniffed(MediaKind.VIDEO, "video/mp4", ".mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in data[:64]:
        return Sniffed(MediaKind.VIDEO, "video/webm", ".webm")
    return None


def check_upload(filename: str, data: bytes, limits: Limits) -> Sniffed:
    """The file's type if it may be a product's media; else a ValidationError naming the rule."""
    name = filename or "?"
    if not data:
        raise ValidationError("file", N_("%(name)s is empty."), name=name)
    found = sniff(data)
    if found is None:
        raise ValidationError("file", N_("%(name)s is not a JPEG, PNG, GIF or WebP image nor an "
                                         "MP4, MOV or WebM video."), name=name)
    limit = limits.image_bytes if found.kind == MediaKind.IMAGE else limits.video_bytes
    if len(data) > limit:
        raise ValidationError("file", N_("%(name)s is %(size)s MB; at most %(limit)s MB."),
                              name=name, size=round(len(data) / 1048576, 1),
                              limit=limit // 1048576)
    return found


def thumbnail(data: bytes, name: str) -> bytes:
    """A JPEG at most THUMB_SIZE of an uploaded image; refuses images that do not decode."""
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError("file", N_("%(name)s is too large an image (%(width)s × "
                                                 "%(height)s pixels)."), name=name,
                                      width=probe.width, height=probe.height)
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)
            image.thumbnail(THUMB_SIZE)
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
            return out.getvalue()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            SyntaxError):
        raise ValidationError("file", N_("%(name)s is not a readable image."), name=name) \
            from None


def add_media(session: Session, storage, product: Product, filename: str, data: bytes,
              limits: Limits = Limits()) -> ProductMedia:
    """Store an uploaded file (and its thumbnail) and add it last among the product's media."""
    found = check_upload(filename, data, limits)
    thumb = thumbnail(data, filename) if found.kind == MediaKind.IMAGE else None
    stem = f"media/{product.id}/{secrets.token_hex(12)}"
    key = stem + found.extension
    storage.save(key, data, found.content_type)
    thumb_key = None
    if thumb is not None:
        thumb_key = stem + "-thumb.jpg"
        storage.save(thumb_key, thumb, "image/jpeg")
    last = session.scalar(sa.select(sa.func.max(ProductMedia.position))
                          .where(ProductMedia.product_id == product.id))
    media = ProductMedia(product_id=product.id, kind=found.kind, file=key, thumbnail=thumb_key,
                         content_type=found.content_type, byte_size=len(data),
                         original_name=(filename or "")[-255:] or None,
                         position=(last if last is not None else -1) + 1)
    session.add(media)
    session.flush()
    return media


def _ordered(session: Session, product_id: int) -> list[ProductMedia]:
    return list(session.scalars(sa.select(ProductMedia).where(ProductMedia.product_id == product_id)
                                .order_by(ProductMedia.position, ProductMedia.id)))


def move_media(session: Session, media_id: int, offset: int) -> ProductMedia:
    """Move one medium ``offset`` places (−1 earlier, +1 later) among its product's."""
    media = session.get(ProductMedia, media_id)
    if media is None:
        raise NotFound(N_("This file is no longer among the product's media."))
    items = _ordered(session, media.product_id)
    index = items.index(media)
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
    session.flush()
    return media


def remove_media(session: Session, media_id: int) -> list[str]:
    """Delete a medium's row; returns the storage keys to delete once the change is committed."""
    media = session.get(ProductMedia, media_id)
    if media is None:
        raise NotFound(N_("This file is no longer among the product's media."))
    keys = [k for k in (media.file, media.thumbnail) if k]
    product_id = media.product_id
    session.delete(media)
    session.flush()
    for position, item in enumerate(_ordered(session, product_id)):
        item.position = position
    return keys


def cover_images(session: Session, product_ids) -> dict[int, ProductMedia]:
    """Each product's first image (by position), for showing the product: product id → media.
    Products without an image are left out. One query whatever the number of products."""
    ids = {int(i) for i in product_ids if i is not None}
    if not ids:
        return {}
    rows = session.scalars(sa.select(ProductMedia)
                           .where(ProductMedia.product_id.in_(ids),
                                  ProductMedia.kind == MediaKind.IMAGE)
                           .order_by(ProductMedia.product_id, ProductMedia.position,
                                     ProductMedia.id))
    covers: dict[int, ProductMedia] = {}
    for media in rows:
        covers.setdefault(media.product_id, media)
    return covers


def variant_cover_images(session: Session, variant_ids) -> dict[int, ProductMedia]:
    """The cover image of each variant's product: variant id → media (the assistant names
    variants; an order line points at one)."""
    ids = {int(i) for i in variant_ids if i is not None}
    if not ids:
        return {}
    products = dict(session.execute(sa.select(ProductVariant.id, ProductVariant.product_id)
                                    .where(ProductVariant.id.in_(ids))).all())
    covers = cover_images(session, products.values())
    return {vid: covers[pid] for vid, pid in products.items() if pid in covers}
