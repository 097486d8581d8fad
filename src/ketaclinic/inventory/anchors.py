"""The ledger checkpoint key and the HMAC that protects each checkpoint row.

The key comes from KETACLINIC_LEDGER_CHECKPOINT_KEY, else it is generated once into
var/ledger_checkpoint_key (owner-only, never overwritten), like the research key. Backups
archive it with the other `*_key` files under var/. Whoever can write to the database but
cannot read this file cannot forge or edit a checkpoint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from pathlib import Path

from django.conf import settings

from ketaclinic.core.keys import ServerKey
from ketaclinic.inventory import rules

ENV = "KETACLINIC_LEDGER_CHECKPOINT_KEY"
FILE_NAME = "ledger_checkpoint_key"
DOMAIN = b"ketaclinic-ledger-checkpoint:"


class CheckpointKeyError(ValueError):
    """The configured key is unusable (too short)."""


KEY = ServerKey(ENV, FILE_NAME, CheckpointKeyError)
_decode = KEY.decode
key_path = KEY.path
checkpoint_key = KEY.load


def key_from_file_bytes(raw: bytes) -> bytes:
    """A key as stored in a `ledger_checkpoint_key` file (e.g. inside a backup archive)."""
    return _decode(raw.decode("utf-8", "replace"))


RETIRED_PATTERN = "ledger_checkpoint_retired_*_key"


def retired_keys(var_dir: Path | None = None) -> list[bytes]:
    """Keys retired by a rotation (var/ledger_checkpoint_retired_<date>_key): checkpoints
    signed before the rotation still verify with them. Backups archive them like every key."""
    folder = Path(var_dir or settings.VAR_DIR)
    keys = []
    for path in sorted(folder.glob(RETIRED_PATTERN)):
        try:
            keys.append(_decode(path.read_text()))
        except (OSError, CheckpointKeyError):
            continue
    return keys


def keyring(current: bytes | list | tuple | None = None) -> dict[str, bytes]:
    """{fingerprint: key} of the current key (or the given ones) and the retired keys."""
    if current is None:
        current = [checkpoint_key()]
    elif isinstance(current, bytes):
        current = [current]
    ring = {fingerprint(key): key for key in retired_keys()}
    ring.update({fingerprint(key): key for key in current})
    return ring


def fingerprint(key: bytes) -> str:
    return hashlib.sha256(DOMAIN + key).hexdigest()[:12]


def message(*, checkpoint_id, clinic_id, sequence: int, head_hash: str, taken_at: dt.datetime):
    """The bytes the HMAC covers: every field of the row, as canonical JSON."""
    return DOMAIN + rules.canonical_bytes(
        {
            "v": 1,
            "id": checkpoint_id,
            "clinic": clinic_id,
            "sequence": int(sequence),
            "hash": head_hash,
            "taken_at": taken_at,
        }
    )


def signed_fields(checkpoint) -> dict:
    """The fields of a checkpoint row that its HMAC covers (see `message`)."""
    return {
        "checkpoint_id": checkpoint.pk,
        "clinic_id": checkpoint.clinic_id,
        "sequence": checkpoint.sequence,
        "head_hash": checkpoint.head_hash,
        "taken_at": checkpoint.taken_at,
    }


def sign(key: bytes, **fields) -> str:
    return hmac.new(key, message(**fields), hashlib.sha256).hexdigest()


def mac_matches(key: bytes, mac: str, **fields) -> bool:
    try:
        expected = sign(key, **fields)
    except rules.CanonicalError:
        return False
    return hmac.compare_digest(expected, mac or "")
