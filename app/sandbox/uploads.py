"""What the marketplace sandboxes accept as an uploaded product image: a real JPEG, PNG or WebP
file of at most 10 MB, as Shopee, Lazada and TikTok Shop each require (their limits differ a
little; 10 MB is the strictest common one)."""
from __future__ import annotations

MAX_IMAGE_BYTES = 10 * 1024 * 1024
_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def image_problem(content: bytes | None) -> str | None:
    """Why ``content`` is not an acceptable image, or None when it is."""
    if not content:
        return "The image file is empty or missing."
    if len(content) > MAX_IMAGE_BYTES:
        return "The image is larger than 10 MB."
    if not (content.startswith(_MAGIC) or (content[:4] == b"RIFF" and content[8:12] == b"WEBP")):
        return "The file is not a JPEG, PNG or WebP image."
    return None
