"""The verification fast path: canonical bytes of ledger entries from raw column text.

`canonical_bytes(entry_content(row))` (chain.py) is the reference: it walks a dict of Python
values. Verification reads hundreds of thousands of rows, so here the same bytes are built
from one precompiled template, with the database doing the per-type formatting (UUIDs as
text, decimals without trailing zeros, the time in UTC). A test compares both paths on every
entry type; anything the fast path cannot prove equal (non-empty `data`, an unexpected value)
goes through the reference functions, so the bytes never differ.

A fast row is a tuple in `FAST_COLUMNS` order:

    sequence (int), hash, prev_hash,
    then the hashed fields in sorted key order (see TEMPLATE), where
      UUID fields   are JSON already: '"<uuid with dashes>"' or 'null'
      decimals      are the canonical plain string without quotes ("36.5", "-40", "0")
      occurred_at   is the canonical UTC text (2026-01-05T14:00:00.000000Z)
      text fields   are the raw str (JSON-escaped here, with a cache: names repeat)
      data          is JSON text in any spacing (or an already decoded dict)
"""

import hashlib
import json
from json.encoder import encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses

from ketaclinic.inventory.rules.chain import CANONICAL_VERSION, canonical_value

# Hashed keys in the sorted order canonical JSON writes them, with how each is formatted.
UUID, TEXT, DECIMAL, TIME, INT, DATA = "uuid", "text", "decimal", "time", "int", "data"
SORTED_FIELDS = (
    ("actor", UUID),
    ("actor_name", TEXT),
    ("clinic", UUID),
    ("data", DATA),
    ("entry_type", TEXT),
    ("id", UUID),
    ("location", UUID),
    ("lot", UUID),
    ("occurred_at", TIME),
    ("patient", UUID),
    ("quantity", DECIMAL),
    ("reason", TEXT),
    ("related_entry", UUID),
    ("second_witness", UUID),
    ("second_witness_name", TEXT),
    ("sequence", INT),
    ("session", UUID),
    ("stock_delta", DECIMAL),
    ("to_location", UUID),
    ("unit", TEXT),
    ("v", INT),
    ("witness", UUID),
    ("witness_name", TEXT),
)
# The row carries every field but "sequence" (given first) and "v" (a constant).
ROW_FIELDS = tuple(name for name, _kind in SORTED_FIELDS if name not in ("sequence", "v"))
FAST_COLUMNS = ("sequence", "hash", "prev_hash", *ROW_FIELDS)


def _template() -> str:
    parts = []
    for name, kind in SORTED_FIELDS:
        if name == "v":
            parts.append(f'"v":{CANONICAL_VERSION}')
        elif name == "sequence":
            parts.append('"sequence":%d')
        elif kind in (DECIMAL, TIME):
            parts.append(f'"{name}":"%s"')
        else:
            parts.append(f'"{name}":%s')
    return "{" + ",".join(parts) + "}"


TEMPLATE = _template()


def _text_encoder():
    cache: dict = {}

    def encode(value) -> str:
        try:
            return cache[value]
        except KeyError:
            pass
        if value is None:
            out = "null"
        elif type(value) is str:
            out = encode_basestring(value)
        else:  # not a string in a text column: let the reference say what it is
            out = json.dumps(canonical_value(value), ensure_ascii=False)
        if len(cache) < 4096:
            cache[value] = out
        return out

    return encode


def _data(value) -> str:
    if value == "{}" or value == {}:
        return "{}"
    if isinstance(value, str):
        value = json.loads(value)
    # The reference's own canonical JSON (raises CanonicalError like the reference).
    return json.dumps(
        canonical_value(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


class FastHasher:
    """Builds canonical bytes and chain hashes of fast rows, batch by batch."""

    def __init__(self):
        self.text = _text_encoder()

    def body(self, row) -> str:
        """The canonical JSON text of one fast row (the reference's bytes, decoded)."""
        text = self.text
        (
            sequence,
            _hash,
            _prev,
            actor,
            actor_name,
            clinic,
            data,
            entry_type,
            entry_id,
            location,
            lot,
            occurred_at,
            patient,
            quantity,
            reason,
            related_entry,
            second_witness,
            second_witness_name,
            session,
            stock_delta,
            to_location,
            unit,
            witness,
            witness_name,
        ) = row
        return TEMPLATE % (
            actor,
            text(actor_name),
            clinic,
            "{}" if data == "{}" else _data(data),
            text(entry_type),
            entry_id,
            location,
            lot,
            occurred_at,
            patient,
            quantity,
            text(reason),
            related_entry,
            second_witness,
            text(second_witness_name),
            sequence,
            session,
            stock_delta,
            to_location,
            text(unit),
            witness,
            text(witness_name),
        )

    def canonical_bytes(self, row) -> bytes:
        return self.body(row).encode("utf-8")

    def hashes(self, rows) -> list[str]:
        """sha256(stored prev_hash + canonical bytes) of each row, as hex, in one pass."""
        sha = hashlib.sha256
        body = self.body
        return [sha((row[2] + body(row)).encode("utf-8")).hexdigest() for row in rows]


def check_batch(rows, hashes: list[str], previous_hash: str, previous_sequence: int | None):
    """Link and hash checks of a batch. Returns (ok, last hash, last sequence); on the first
    anomaly ok is False and the caller re-verifies with the reference to name it."""
    for row, digest in zip(rows, hashes, strict=True):
        sequence, stored, prev = row[0], row[1], row[2]
        if prev != previous_hash or digest != stored:
            return False, previous_hash, previous_sequence
        if previous_sequence is not None and sequence != previous_sequence + 1:
            return False, previous_hash, previous_sequence
        previous_hash, previous_sequence = stored, sequence
    return True, previous_hash, previous_sequence
