"""The research-export key: from KETACLINIC_RESEARCH_KEY, else generated once into var/.

The key makes pseudonyms and date shifts reproducible across exports and unguessable without
it. It never leaves the server: exports carry only a short fingerprint of it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from django.conf import settings

ENV = "KETACLINIC_RESEARCH_KEY"
FILE_NAME = "research_key"
MIN_BYTES = 32


class ResearchKeyError(ValueError):
    """The configured key is unusable (too short)."""


def _decode(text: str) -> bytes:
    text = text.strip()
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = text.encode()
    if len(raw) < MIN_BYTES:
        raise ResearchKeyError(
            f"{ENV} must hold at least {MIN_BYTES} bytes (64 hex digits); got {len(raw)}."
        )
    return raw


def key_path() -> Path:
    return Path(settings.VAR_DIR) / FILE_NAME


def research_key() -> bytes:
    """The key from the environment, else the one in var/research_key (created if missing)."""
    if value := os.environ.get(ENV):
        return _decode(value)
    path = key_path()
    if not path.exists():
        # Owner-only permissions; never overwrite an existing key (it would unlink exports).
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return _decode(path.read_text())
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(MIN_BYTES))
    return _decode(path.read_text())


def fingerprint(key: bytes) -> str:
    """Names the key an export was made with, without revealing it."""
    return hashlib.sha256(b"ketaclinic-research-key:" + key).hexdigest()[:12]
