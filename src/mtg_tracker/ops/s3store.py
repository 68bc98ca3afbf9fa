"""An S3-compatible bucket as a flat directory of backup files and manifests (``MTG_BACKUP__S3_URL``).

boto3 is imported here, when a bucket is configured, never by the local-only path. Every failure the
operator can fix (missing bucket, refused credentials, unreachable endpoint) becomes a
:class:`BackupTargetError` with a message naming the bucket, never a botocore traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mtg_tracker.config import BackupSettings
from mtg_tracker.kit.errors import AppError


class BackupTargetError(AppError):
    """The backup target cannot be used as configured: a fix of settings or of the bucket, not of a backup."""

    status_code = 503
    code = "backup_target_unavailable"


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → ``("bucket", "some/prefix/")``; the prefix is empty or ends in ``/``."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise BackupTargetError(f"MTG_BACKUP__S3_URL must look like s3://bucket/prefix, not {url!r}")
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


_FIXABLE = {
    "NoSuchBucket": "the bucket does not exist",
    "404": "the bucket does not exist",
    "InvalidAccessKeyId": "the access key is not known to the endpoint",
    "SignatureDoesNotMatch": "the secret key is wrong",
    "AccessDenied": "access denied",
    "403": "access denied",
}


class S3Store:
    def __init__(self, settings: BackupSettings) -> None:
        assert settings.s3_url is not None
        self.url = settings.s3_url
        self.bucket, self.prefix = parse_s3_url(settings.s3_url)
        try:
            import boto3
            from botocore.config import Config
        except ImportError as exc:  # pragma: no cover - boto3 is a dependency
            raise BackupTargetError("MTG_BACKUP__S3_URL is set but boto3 is not installed") from exc
        secret = settings.s3_secret_access_key
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=secret.get_secret_value() if secret is not None else None,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=120),
        )

    def __str__(self) -> str:
        return self.url

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            reason = _FIXABLE.get(code, f"{code}: {exc.response.get('Error', {}).get('Message', '')}".strip())
            raise BackupTargetError(f"S3 {doing} in {self.url} failed: {reason}") from None
        except BotoCoreError as exc:  # no credentials, endpoint unreachable, …
            raise BackupTargetError(f"S3 {doing} in {self.url} failed: {exc}") from None

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def names(self, suffix: str) -> list[str]:
        """Names (relative to the prefix, no sub-"directories") ending in ``suffix``, sorted."""
        found: list[str] = []
        with self._errors("listing"):
            paginator = self._client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix, Delimiter="/"):
                for item in page.get("Contents", []):
                    name = str(item["Key"])[len(self.prefix) :]
                    if name.endswith(suffix):
                        found.append(name)
        return sorted(found)

    def read_text(self, name: str) -> str:
        with self._errors(f"reading {name}"):
            body = self._client.get_object(Bucket=self.bucket, Key=self.key(name))["Body"]
            return bytes(body.read()).decode()

    def write_text(self, name: str, content: str) -> None:
        with self._errors(f"writing {name}"):
            self._client.put_object(
                Bucket=self.bucket, Key=self.key(name), Body=content.encode(), ContentType="application/json"
            )

    def upload(self, path: Path, name: str) -> None:
        with self._errors(f"uploading {name}"):
            self._client.upload_file(str(path), self.bucket, self.key(name))

    def download(self, name: str, path: Path) -> bool:
        """False when the object does not exist."""
        from botocore.exceptions import ClientError

        with self._errors(f"downloading {name}"):
            try:
                self._client.download_file(self.bucket, self.key(name), str(path))
            except ClientError as exc:
                if str(exc.response.get("Error", {}).get("Code", "")) in ("404", "NoSuchKey"):
                    return False
                raise
        return True

    def delete(self, name: str) -> None:
        with self._errors(f"deleting {name}"):
            self._client.delete_object(Bucket=self.bucket, Key=self.key(name))

    def check(self) -> None:
        """Fail early, with a clear message, when the bucket is missing or the credentials are refused."""
        with self._errors("opening the bucket"):
            self._client.head_bucket(Bucket=self.bucket)
