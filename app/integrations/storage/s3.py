"""An S3-compatible bucket over plain signed HTTP (httpx + Signature Version 4), no SDK.

``endpoint`` is the service's base URL (``https://s3.ap-southeast-1.amazonaws.com``,
``https://<account>.r2.cloudflarestorage.com``, ``http://minio:9000``); objects are addressed by
path (``<endpoint>/<bucket>/<key>``, what every S3-compatible service accepts) or, with
``path_style=False``, as ``<bucket>.<endpoint host>``. Browsers fetch files through short-lived
presigned URLs the app hands out after checking the user's permission.
"""
from __future__ import annotations

import hashlib
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from app.integrations.base import DEFAULT_TIMEOUT, RetryableError
from app.integrations.storage.base import StorageError, check_key
from app.integrations.storage.sigv4 import presign_url, sign_request


class S3Storage:
    def __init__(self, *, endpoint: str, bucket: str, region: str, access_key: str,
                 secret_key: str, path_style: bool = True, client: httpx.Client | None = None):
        self.endpoint = endpoint.rstrip("/")
        self.bucket = bucket
        self.region = region
        self.access_key = access_key
        self.secret_key = secret_key
        self.path_style = path_style
        self.client = client or httpx.Client(timeout=DEFAULT_TIMEOUT)

    def object_url(self, key: str) -> str:
        path = quote(check_key(key), safe="/-_.~")
        if self.path_style:
            return f"{self.endpoint}/{quote(self.bucket, safe='')}/{path}"
        parts = urlsplit(self.endpoint)
        return urlunsplit((parts.scheme, f"{self.bucket}.{parts.netloc}", f"/{path}", "", ""))

    def _call(self, method: str, key: str, *, data: bytes = b"", headers: dict | None = None,
              ok=(200, 204)) -> httpx.Response:
        url = self.object_url(key)
        signed = sign_request(method, url, access_key=self.access_key, secret_key=self.secret_key,
                              region=self.region, headers=headers,
                              payload_hash=hashlib.sha256(data).hexdigest())
        try:
            response = self.client.request(method, url, content=data or None, headers=signed)
        except httpx.TransportError as exc:
            raise RetryableError(f"The file storage did not answer ({exc.__class__.__name__}).",
                                 provider="s3") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise RetryableError(f"The file storage answered {response.status_code}.",
                                 provider="s3", status=response.status_code)
        if response.status_code not in ok:
            raise StorageError(f"The file storage refused {method} {key}: "
                               f"{response.status_code} {response.text[:200]}", provider="s3",
                               status=response.status_code)
        return response

    def save(self, key: str, data: bytes, content_type: str) -> None:
        self._call("PUT", key, data=data, headers={"content-type": content_type})

    def load(self, key: str) -> bytes:
        return self._call("GET", key, ok=(200,)).content

    def delete(self, key: str) -> None:
        self._call("DELETE", key, ok=(200, 204, 404))

    def exists(self, key: str) -> bool:
        return self._call("HEAD", key, ok=(200, 404)).status_code == 200

    def download_url(self, key: str, *, expires: int, filename: str | None = None) -> str:
        extra = []
        if filename:
            extra.append(("response-content-disposition",
                          f"inline; filename*=UTF-8''{quote(filename, safe='')}"))
        return presign_url(self.object_url(key), access_key=self.access_key,
                           secret_key=self.secret_key, region=self.region, expires=expires,
                           extra_query=extra)

    def local_path(self, key: str) -> None:
        return None
