"""Signature Version 4 for the S3-compatible media storage, checked against the examples AWS
prints in "Signature Calculations for the Authorization Header" and "Authenticating Requests:
Using Query Parameters" (the same keys, date and bucket), and the requests the client sends."""
import datetime as dt
import hashlib

import httpx

from app.integrations.storage import S3Storage
from app.integrations.storage.sigv4 import presign_url, sign_request

AWS = {"access_key": "AKIAIOSFODNN7EXAMPLE",
       "secret_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "region": "us-east-1"}
WHEN = dt.datetime(2013, 5, 24, tzinfo=dt.timezone.utc)


def test_a_get_is_signed_as_the_aws_example():
    headers = sign_request("GET", "https://examplebucket.s3.amazonaws.com/test.txt",
                           headers={"range": "bytes=0-9"}, now=WHEN, **AWS)
    assert headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    assert headers["x-amz-date"] == "20130524T000000Z"


def test_a_put_with_its_body_hash_is_signed_as_the_aws_example():
    # AWS's PUT example: "Welcome to Amazon S3." stored as test$file.text with a storage class.
    body = b"Welcome to Amazon S3."
    headers = sign_request("PUT", "https://examplebucket.s3.amazonaws.com/test%24file.text",
                           headers={"date": "Fri, 24 May 2013 00:00:00 GMT",
                                    "x-amz-storage-class": "REDUCED_REDUNDANCY"},
                           payload_hash=hashlib.sha256(body).hexdigest(), now=WHEN, **AWS)
    assert headers["Authorization"].endswith(
        "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")


def test_a_presigned_url_is_the_aws_example():
    url = presign_url("https://examplebucket.s3.amazonaws.com/test.txt", expires=86400,
                      now=WHEN, **AWS)
    assert url.endswith("X-Amz-Signature="
                        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    assert "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" in url


def test_the_client_sends_signed_path_style_requests_to_the_bucket():
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"stored bytes")

    store = S3Storage(endpoint="http://minio.local:9000", bucket="orderhub-media", region="auto",
                      access_key="KEY", secret_key="SECRET",
                      client=httpx.Client(transport=httpx.MockTransport(answer)))
    store.save("media/7/abc.jpg", b"\xff\xd8\xff", "image/jpeg")
    assert store.load("media/7/abc.jpg") == b"stored bytes"
    put, get = seen
    assert (put.method, str(put.url)) == ("PUT", "http://minio.local:9000/orderhub-media/media/7/abc.jpg")
    assert put.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=KEY/")
    assert "/auto/s3/aws4_request" in put.headers["authorization"]
    assert put.headers["x-amz-content-sha256"] == hashlib.sha256(b"\xff\xd8\xff").hexdigest()
    assert put.content == b"\xff\xd8\xff" and put.headers["content-type"] == "image/jpeg"
    assert get.method == "GET" and "content-type" not in get.headers
    link = store.download_url("media/7/abc.jpg", expires=300, filename="ảnh.jpg")
    assert link.startswith("http://minio.local:9000/orderhub-media/media/7/abc.jpg?")
    assert "response-content-disposition=" in link and "X-Amz-Expires=300" in link
