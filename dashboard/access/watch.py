"""The access file as it is now: read again whenever its content changes, without a restart.

Every page run asks for the current file. The bytes are read each time (an access file
is a few kilobytes) and parsed again only when they differ from the last read, so an
edit takes effect on the next click, and a rewrite that keeps the size and modification
time is not missed. A file that turns invalid fails closed: the error is raised (and the
app shows no data) until the file is fixed, never the last good version.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from common import settings
from dashboard.access.access_file import AccessFile, AccessFileError, parse_access_file
from dashboard.access.roles import UserAccess


@dataclass
class _Cached:
    digest: str
    result: AccessFile | AccessFileError


_lock = threading.Lock()
_cache: dict[str, _Cached] = {}


def current_access_file(path: Path | str) -> AccessFile:
    """The access file at ``path`` as its content is now; AccessFileError when it is unusable."""
    key = str(Path(path).resolve())
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise AccessFileError(path, ["the file does not exist (setting access_file)"]) from None
    except OSError as exc:
        raise AccessFileError(path, [f"cannot be read: {exc}"]) from None
    digest = hashlib.sha256(data).hexdigest()
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached.digest != digest:
            cached = _Cached(digest, _parse(data, path))
            _cache[key] = cached
    if isinstance(cached.result, AccessFileError):
        raise cached.result
    return cached.result


def _parse(data: bytes, path: Path | str) -> AccessFile | AccessFileError:
    try:
        return parse_access_file(data.decode("utf-8"), path)
    except UnicodeDecodeError as exc:
        return AccessFileError(path, [f"is not UTF-8 text: {exc}"])
    except AccessFileError as exc:
        return exc


def load_access_file() -> AccessFile:
    """The access file the setting ``access_file`` names, as it is now; AccessFileError when unusable."""
    path = str(settings.get("access_file") or "").strip()
    if not path:
        raise AccessFileError(
            "(none)",
            ["sign-in needs an access file, but the setting access_file (LEADLINE_ACCESS_FILE) is empty"],
        )
    return current_access_file(path)


def access_of_user(email: str, idp_groups: tuple[str, ...] = ()) -> tuple[UserAccess, AccessFile]:
    """What the access file gives ``email`` (and its groups) now, for the CLI acting on a user's behalf.

    The operator vouches for the address (it counts as verified), but it must be well formed,
    exactly as at sign-in: ``a@evil.example@brand.example`` matches nothing.
    """
    access_file = load_access_file()
    claims = {access_file.email_claim: email, "email_verified": True, access_file.group_claim: list(idp_groups)}
    return access_file.access_for(access_file.identity(claims)), access_file
