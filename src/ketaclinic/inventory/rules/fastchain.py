"""The verification fast path: canonical bytes of ledger entries without building dicts.

`canonical_bytes(entry_content(row))` (chain.py) is the reference: it walks a dict of Python
values. Verification reads hundreds of thousands of rows, so here the same bytes come from one
precompiled template (`TEMPLATE`, the hashed keys in sorted order). A test compares both paths
on every entry type, from plain values and from rows read back from each database; a row the
fast path gets wrong would only fail its hash and be handed to the reference, never pass.

A fast row is `(sequence, hash, prev_hash, head, data, tail)`: the canonical JSON text before
the value of "data", the value of "data" as JSON text in any spacing (or a dict), and the text
after it. On PostgreSQL the database writes head and tail itself (`to_json` escapes strings
exactly as Python's `json` does with ensure_ascii=False); elsewhere `split_row` writes them
from column values. "data" is re-serialized here, sorted, unless it is empty.
"""

import hashlib
import json
from json.encoder import encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses

from ketaclinic.inventory.rules import chain as reference
from ketaclinic.inventory.rules.chain import (
    CANONICAL_VERSION,
    canonical_datetime,
    canonical_decimal,
    canonical_value,
)

UUID, TEXT, DECIMAL, TIME, INT, DATA = "uuid", "text", "decimal", "time", "int", "data"
# Hashed keys in the sorted order canonical JSON writes them, with each one's kind.
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
HEAD_FIELDS = tuple(f for f in SORTED_FIELDS if f[0] < "data")
TAIL_FIELDS = tuple(f for f in SORTED_FIELDS if f[0] > "data")


def _template(fields) -> str:
    return ",".join(f'"{name}":%s' for name, _kind in fields)


HEAD_TEMPLATE = "{" + _template(HEAD_FIELDS) + ',"data":'
TAIL_TEMPLATE = "," + _template(TAIL_FIELDS) + "}"
TEMPLATE = HEAD_TEMPLATE + "%s" + TAIL_TEMPLATE


def json_value(kind: str, value) -> str:
    """One value as canonical JSON text, for a column of this kind."""
    if value is None:
        return "null"
    if kind == UUID:
        return f'"{value}"'
    if kind == DECIMAL:
        return f'"{canonical_decimal(value)}"'
    if kind == TIME:
        return f'"{canonical_datetime(value)}"'
    if kind == TEXT and type(value) is str:
        return encode_basestring(value)
    if kind == INT and type(value) is int:
        return str(value)
    return json.dumps(canonical_value(value), ensure_ascii=False)


def split_row(values: dict, hash_: str = "", prev_hash: str = "") -> tuple:
    """A fast row from column values keyed by content name ("v" is added)."""
    values = {**values, "v": CANONICAL_VERSION}
    head = HEAD_TEMPLATE % tuple(json_value(k, values[n]) for n, k in HEAD_FIELDS)
    tail = TAIL_TEMPLATE % tuple(json_value(k, values[n]) for n, k in TAIL_FIELDS)
    return (values["sequence"], hash_, prev_hash, head, values["data"], tail)


def data_json(value) -> str:
    """The canonical JSON of "data" (the reference's own serialization when not empty)."""
    if value == "{}" or value == {}:
        return "{}"
    if isinstance(value, str):
        value = json.loads(value)
    return reference.canonical_bytes(value).decode("utf-8")


def body(row) -> str:
    """The canonical JSON text of one fast row (the reference's bytes, decoded)."""
    data = row[4]
    return row[3] + ("{}" if data == "{}" else data_json(data)) + row[5]


def canonical_bytes(row) -> bytes:
    return body(row).encode("utf-8")


def hashes(rows) -> list[str]:
    """sha256(stored prev_hash + canonical bytes) of each row, as hex, in one pass."""
    sha = hashlib.sha256
    out = []
    append = out.append
    for _sequence, _hash, prev, head, data, tail in rows:
        if data != "{}":
            data = data_json(data)
        append(sha((prev + head + data + tail).encode()).hexdigest())
    return out


def check_batch(rows, digests: list[str], previous_hash: str, previous_sequence: int | None):
    """Link and hash checks of a batch. Returns (ok, last hash, last sequence); on the first
    anomaly ok is False and the caller re-verifies with the reference to name it."""
    for row, digest in zip(rows, digests, strict=True):
        sequence, stored, prev = row[0], row[1], row[2]
        if prev != previous_hash or digest != stored:
            return False, previous_hash, previous_sequence
        if previous_sequence is not None and sequence != previous_sequence + 1:
            return False, previous_hash, previous_sequence
        previous_hash, previous_sequence = stored, sequence
    return True, previous_hash, previous_sequence
