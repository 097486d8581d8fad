"""The verification fast path: canonical bytes of ledger entries without building dicts.

`canonical_bytes(entry_content(row))` (chain.py) is the reference: it walks a dict of Python
values. Verification reads hundreds of thousands of rows, so here the same bytes come from one
precompiled template (`TEMPLATE`, the hashed keys in sorted order). A test compares both paths
on every entry type, from plain values and from rows read back from each database; a row the
fast path gets wrong would only fail its hash and be handed to the reference, never pass.

A fast row is `(sequence, hash, message)`: the stored hash as ASCII bytes and the message that
is hashed, stored prev_hash + canonical content bytes. On PostgreSQL the database writes the
message itself (`to_json` escapes strings exactly as Python's `json` does with
ensure_ascii=False) as one text line per entry, read through a server-side cursor; elsewhere
`split_row` writes it from column values.
A non-empty "data" is re-serialized here, sorted, exactly as the reference serializes it.

Verification on PostgreSQL (`check_lines`) goes one step further: for an entry without data the
database also hashes the message it built (SHA-256 of its UTF-8 bytes) and sends only whether
that equals the stored hash, so the entry crosses the wire as its sequence, hash, previous hash
and a one-character verdict. An entry with data comes with its message and is hashed here. The
links (each previous hash equal to the hash before it) and the sequence are always checked here.
"""

import hashlib
import json
from json.encoder import encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses

import orjson

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
    message = (prev_hash + head + data_json(values["data"]) + tail).encode()
    return (values["sequence"], hash_.encode(), message)


def data_json(value) -> str:
    """The canonical JSON of "data" (the reference's own serialization when not empty)."""
    if value == "{}" or value == {}:
        return "{}"
    if isinstance(value, str):
        value = json.loads(value)
    return reference.canonical_bytes(value).decode("utf-8")


def canonical_bytes(row) -> bytes:
    """The canonical content bytes of one fast row (the reference's bytes)."""
    return row[2][64:]


def body(row) -> str:
    """The canonical JSON text of one fast row."""
    return canonical_bytes(row).decode("utf-8")


def hashes(rows) -> list[str]:
    """sha256(stored prev_hash + canonical bytes) of each row, as hex."""
    sha = hashlib.sha256
    return [sha(row[2]).hexdigest() for row in rows]


# --- PostgreSQL lines -----------------------------------------------------------------------
#
# On PostgreSQL the database writes each entry as one line (blocks of lines, see
# `verification.copy_blocks`):
#
#     sequence TAB hash TAB prev_hash+canonical-JSON TAB data
#
# where the third field is the whole hashed message except that "data" is the database's own
# JSON text, and the fourth is empty when "data" is {} (then the third field is exact) or that
# same JSON text, which is re-serialized here.

_DATA_KEY = b',"data":'


def _no_float(text: str):
    raise reference.CanonicalError("floats are not allowed in ledger content; use Decimal")


_loads = json.JSONDecoder(parse_float=_no_float, parse_constant=_no_float).decode
_dumps = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


def _data_bytes(text: bytes) -> bytes:
    """Canonical bytes of JSON text read from the database: JSON gives only strings, integers,
    booleans, null, lists and string-keyed objects, which `canonical_value` leaves as they are,
    so `canonical_bytes` is one sorted dump (a float, which it refuses, is refused while
    parsing)."""
    return _dumps(_loads(text.decode("utf-8"))).encode("utf-8")


def _quick_data_bytes(text: bytes) -> bytes:
    """`_data_bytes` by orjson, for the hot loop: the same bytes for every value a writer
    stores (a test compares both on the hardest data). orjson reads a float, or an integer
    beyond 64 bits, as a float; such bytes cannot give the stored hash, and the caller then
    takes `_data_bytes`, which decides (and refuses a float)."""
    return orjson.dumps(orjson.loads(text), option=orjson.OPT_SORT_KEYS)


def line_message(message: bytes, data: bytes, *, quick: bool = False) -> bytes:
    """The hashed bytes (prev_hash + canonical content) from a line's last two fields."""
    if not data:
        return message
    start = message.index(_DATA_KEY + data) + len(_DATA_KEY)
    canonical = _quick_data_bytes(data) if quick else _data_bytes(data)
    return message[:start] + canonical + message[start + len(data) :]


def _hash_matches(message: bytes, data: bytes, stored: bytes) -> bool:
    """Whether a line's message with its data hashes to the stored hash (orjson first)."""
    sha = hashlib.sha256
    if sha(line_message(message, data, quick=True)).hexdigest().encode() == stored:
        return True
    return sha(line_message(message, data)).hexdigest().encode() == stored


def line_row(line: bytes) -> tuple:
    """One line as a fast row (sequence, hash, message)."""
    sequence, hash_, message, data = line.split(b"\t")
    return (int(sequence), hash_, line_message(message, data))


def check_rows(rows, previous_hash: bytes, previous_sequence: int | None, saved: bytes = b""):
    """Link, hash and sequence checks of fast rows. Returns (ok, count, last hash, last
    sequence, saved seen); on the first anomaly ok is False and the caller re-verifies with the
    reference to name it."""
    sha = hashlib.sha256
    count, seen = 0, False
    for sequence, stored, message in rows:
        if (
            message[:64] != previous_hash
            or sha(message).hexdigest().encode() != stored
            or (previous_sequence is not None and sequence != previous_sequence + 1)
        ):
            return False, count, previous_hash, previous_sequence, seen
        if stored == saved:
            seen = True
        previous_hash, previous_sequence = stored, sequence
        count += 1
    return True, count, previous_hash, previous_sequence, seen


# Verdicts of a checked line: the database hashed the message and it matched, or it did not.
# An empty verdict means the line carries its message (an entry with data) to be hashed here.
HASHED_EQUAL, HASHED_DIFFERENT = b"=", b"!"


def checked_line_head(line: bytes) -> tuple[int, bytes]:
    """(sequence, previous hash) of a checked line."""
    sequence, _stored, previous, _rest = line.split(b"\t", 3)
    return int(sequence), previous


def check_lines(lines, previous_hash: bytes, previous_sequence: int | None, saved: bytes = b""):
    """`check_rows` over checked lines `sequence TAB hash TAB prev_hash TAB verdict TAB message
    TAB data` (the hot path: one split and three comparisons per entry without data)."""
    count, seen = 0, False
    for line in lines:
        sequence, stored, previous, verdict, message, data = line.split(b"\t")
        sequence = int(sequence)
        if verdict != HASHED_EQUAL and (
            verdict or message[:64] != previous or not _hash_matches(message, data, stored)
        ):
            return False, count, previous_hash, previous_sequence, seen
        if previous != previous_hash or (
            previous_sequence is not None and sequence != previous_sequence + 1
        ):
            return False, count, previous_hash, previous_sequence, seen
        if stored == saved:
            seen = True
        previous_hash, previous_sequence = stored, sequence
        count += 1
    return True, count, previous_hash, previous_sequence, seen
