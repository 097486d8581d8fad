"""Server-side secret keys: from an environment variable, else generated once into var/.

Each key (the research-export key, the ledger checkpoint key) names its variable, its file
under var/ and the error raised when it is unusable. A key file is created owner-only and never
overwritten: replacing a key would unlink what was made with it. Backups archive every `*_key`
file under var/.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

MIN_BYTES = 32


@dataclass(frozen=True)
class ServerKey:
    env: str
    file_name: str
    error: type[ValueError]
    min_bytes: int = MIN_BYTES

    def decode(self, text: str) -> bytes:
        """64 hex digits, or any text of at least `min_bytes` bytes."""
        text = text.strip()
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = text.encode()
        if len(raw) < self.min_bytes:
            raise self.error(
                f"{self.env} must hold at least {self.min_bytes} bytes "
                f"({2 * self.min_bytes} hex digits); got {len(raw)}."
            )
        return raw

    def path(self) -> Path:
        return Path(settings.VAR_DIR) / self.file_name

    def load(self) -> bytes:
        """The key from the environment, else the one in var/ (created if missing)."""
        if value := os.environ.get(self.env):
            return self.decode(value)
        path = self.path()
        if not path.exists():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return self.decode(path.read_text())
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(self.min_bytes))
        return self.decode(path.read_text())
