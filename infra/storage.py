"""Where uploaded files live: a storage interface whose default writes to a local folder.

Keys are opaque relative paths (e.g. "images/ab/<uuid>-medium.webp"); `public_url(key)` is the
address the apps load them from, served by server/media_routes.py. A key names one content
for ever (a new upload gets a new key), which is why the files can be cached as immutable.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from infra.settings import get_settings

MEDIA_PATH = "/media"
# Files `/media` never serves (the card holders' photos): read only through signed links.
PRIVATE_PREFIX = "card-photos/"

# Lower-case letters, digits, "-", "_" and "." in "/"-separated segments; no "." or ".."
# segment, no leading "/", no backslash: a key can never leave the storage's folder.
_KEY = re.compile(r"[a-z0-9_-][a-z0-9_.-]*(/[a-z0-9_-][a-z0-9_.-]*)*")

CONTENT_TYPES = {
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


class StoredFileNotFound(LookupError):
    """No file under that key (or the key is not a valid key)."""


def is_valid_key(key: str) -> bool:
    return len(key) <= 255 and _KEY.fullmatch(key) is not None and "/../" not in f"/{key}/"


def is_public_key(key: str) -> bool:
    """May `/media` serve this key to anyone who asks?"""
    return is_valid_key(key) and not key.startswith(PRIVATE_PREFIX)


def content_type_of(key: str) -> str:
    return CONTENT_TYPES.get(os.path.splitext(key)[1], "application/octet-stream")


class Storage(Protocol):
    """Where the media files are kept. Methods are async so a remote store fits the same
    interface; `save` replaces any file under the key, `delete` ignores a missing one."""

    async def save(self, key: str, data: bytes, content_type: str) -> None: ...

    async def read(self, key: str) -> bytes:
        """The file's bytes; raises StoredFileNotFound."""
        ...

    async def delete(self, key: str) -> None: ...

    async def exists(self, key: str) -> bool: ...


class LocalStorage:
    """Files in a local folder (`$CJEUNE_DATA_DIR/media` by default), written atomically:
    a reader sees the whole file or none. The content type follows from the extension."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, key: str) -> Path:
        if not is_valid_key(key):
            raise StoredFileNotFound(key)
        path = self.root / key
        # The pattern already forbids "..": this also stops a symbolic link leading out.
        root = self.root.resolve()
        if not path.resolve().is_relative_to(root):
            raise StoredFileNotFound(key)
        return path

    def _write(self, key: str, data: bytes) -> None:
        path = self.path_of(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _read(self, key: str) -> bytes:
        try:
            return self.path_of(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise StoredFileNotFound(key) from error

    def _delete(self, key: str) -> None:
        try:
            self.path_of(key).unlink(missing_ok=True)
        except StoredFileNotFound:
            pass

    def _exists(self, key: str) -> bool:
        try:
            return self.path_of(key).is_file()
        except StoredFileNotFound:
            return False

    async def save(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, key, data)

    async def read(self, key: str) -> bytes:
        return await asyncio.to_thread(self._read, key)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete, key)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._exists, key)


_current: Storage | None = None


def get_storage() -> Storage:
    """The storage in use: the one installed with `use_storage`, or the local folder."""
    if _current is not None:
        return _current
    return LocalStorage(get_settings().data_dir / "media")


def use_storage(storage: Storage | None) -> None:
    """Install a storage for the process (None: back to the local folder of the settings)."""
    global _current
    _current = storage


def public_url(key: str) -> str:
    return f"{get_settings().public_url}{MEDIA_PATH}/{key}"
