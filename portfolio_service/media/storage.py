"""Where media files live: the local folder or an S3-compatible bucket.

Both backends share one interface and never overwrite: ``save`` picks a free
name next to the requested one. Nothing here knows about Flask.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import IO, BinaryIO

CHUNK_SIZE = 1024 * 1024
#: What S3 answers a conditional write (If-None-Match) to a key that exists or is being written.
NAME_TAKEN = {"PreconditionFailed", "ConditionalRequestConflict"}


class StorageError(RuntimeError):
    """The storage could not do what was asked."""


def _candidates(path: str) -> Iterator[str]:
    """``path`` first, then ``stem_<random>.ext`` beside it, forever."""
    yield path
    stem, dot, ext = path.rpartition(".")
    if not dot:
        stem, ext = path, ""
    while True:
        yield f"{stem}_{secrets.token_hex(4)}{dot}{ext}"


class Storage:
    """The interface every backend implements; paths use ``/`` and are relative."""

    def save(self, path: str, data: IO[bytes], content_type: str) -> str:
        """Store ``data`` at ``path`` or a free name beside it; return the name used."""
        raise NotImplementedError

    def open(self, path: str) -> BinaryIO:
        """A readable binary file object of the stored file."""
        raise NotImplementedError

    def delete(self, path: str) -> None:
        """Remove the file; a missing file is not an error."""
        raise NotImplementedError

    def exists(self, path: str) -> bool:
        raise NotImplementedError

    def modified_at(self, path: str) -> datetime | None:
        """When the file was last written (aware, UTC), or None when it does not exist."""
        raise NotImplementedError

    def iter_paths(self) -> Iterator[str]:
        """Every stored path."""
        raise NotImplementedError

    def check(self) -> None:
        """Raise if the storage cannot be written to."""
        raise NotImplementedError

    def public_base_url(self) -> str | None:
        """The base URL files are served from, or None when the app serves them."""
        return None


class LocalStorage(Storage):
    """Files in a folder on this host, served by the app at ``/media/``."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def _full(self, path: str) -> str:
        full = os.path.abspath(os.path.join(self.root, path))
        if not full.startswith(self.root + os.sep):
            raise StorageError(f"Path escapes the media root: {path!r}")
        return full

    def save(self, path: str, data: IO[bytes], content_type: str) -> str:
        for candidate in _candidates(path):
            full = self._full(candidate)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            try:
                descriptor = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue
            try:
                with os.fdopen(descriptor, "wb") as target:
                    shutil.copyfileobj(data, target, CHUNK_SIZE)
            except BaseException:
                os.unlink(full)
                raise
            return candidate
        raise AssertionError("unreachable")

    def open(self, path: str) -> BinaryIO:
        return open(self._full(path), "rb")

    def delete(self, path: str) -> None:
        try:
            os.unlink(self._full(path))
        except FileNotFoundError:
            pass

    def exists(self, path: str) -> bool:
        return os.path.isfile(self._full(path))

    def modified_at(self, path: str) -> datetime | None:
        try:
            return datetime.fromtimestamp(os.stat(self._full(path)).st_mtime, timezone.utc)
        except FileNotFoundError:
            return None

    def full_path(self, path: str) -> str:
        """The file's absolute path on this host (local storage only)."""
        return self._full(path)

    def iter_paths(self) -> Iterator[str]:
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                yield os.path.relpath(os.path.join(folder, name), self.root).replace(os.sep, "/")

    def check(self) -> None:
        os.makedirs(self.root, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise StorageError(errno.errorcode[errno.EACCES])


class S3Storage(Storage):
    """Files in an S3-compatible bucket; ``MEDIA_URL`` (a CDN) or the endpoint serves them."""

    def __init__(self, bucket: str, endpoint_url: str | None = None, client=None):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.endpoint_url = endpoint_url
        # Checksums only where S3 requires them: the newer default (aws-chunked
        # uploads with trailing checksums) is not understood by every
        # S3-compatible server.
        config = Config(
            request_checksum_calculation="when_required", response_checksum_validation="when_required"
        )
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url, config=config)

    def _missing(self, error) -> bool:
        return error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}

    def _head(self, path: str) -> dict | None:
        """The object's metadata, or None when there is no such key."""
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=path)
        except ClientError as error:
            if self._missing(error):
                return None
            raise

    def exists(self, path: str) -> bool:
        return self._head(path) is not None

    def modified_at(self, path: str) -> datetime | None:
        head = self._head(path)
        return head["LastModified"] if head else None

    def save(self, path: str, data: IO[bytes], content_type: str) -> str:
        from botocore.exceptions import ClientError

        start = data.tell()
        for candidate in _candidates(path):
            if self.exists(candidate):
                continue
            try:
                # If-None-Match: two uploads racing for one name cannot overwrite each other.
                self.client.put_object(
                    Bucket=self.bucket, Key=candidate, Body=data, ContentType=content_type, IfNoneMatch="*"
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") not in {
                    "PreconditionFailed",
                    "ConditionalRequestConflict",
                }:
                    raise
                data.seek(start)
                continue
            return candidate
        raise AssertionError("unreachable")

    def open(self, path: str) -> BinaryIO:
        return self.client.get_object(Bucket=self.bucket, Key=path)["Body"]

    def delete(self, path: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=path)

    def iter_paths(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                yield item["Key"]

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)

    def public_base_url(self) -> str | None:
        endpoint = self.endpoint_url or f"https://{self.bucket}.s3.amazonaws.com"
        if self.endpoint_url:
            return f"{endpoint.rstrip('/')}/{self.bucket}/"
        return endpoint + "/"


def storage_from_config(config: Mapping) -> Storage:
    """The backend that ``MEDIA_STORAGE`` names."""
    kind = config["MEDIA_STORAGE"]
    if kind == "local":
        return LocalStorage(config["MEDIA_ROOT"])
    if kind == "s3":
        if not config.get("S3_BUCKET"):
            raise StorageError("MEDIA_STORAGE=s3 needs S3_BUCKET.")
        return S3Storage(config["S3_BUCKET"], config.get("S3_ENDPOINT_URL"))
    raise StorageError(f"Unknown MEDIA_STORAGE {kind!r}: use 'local' or 's3'.")
