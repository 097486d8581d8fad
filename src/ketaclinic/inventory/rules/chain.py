"""Canonical serialization of ledger content and the SHA-256 chain over it."""

import datetime as dt
import hashlib
import json
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, StrEnum

# ---------------------------------------------------------------------------
# Canonical serialization (spec: docs/inventory.md "Canonical serialization")
# ---------------------------------------------------------------------------

CANONICAL_VERSION = 1
GENESIS_HASH = "0" * 64


class CanonicalError(ValueError):
    """A value that has no single canonical form (a float, a naive datetime, NaN)."""


def canonical_decimal(value: Decimal) -> str:
    """Decimal as its shortest plain string: 1.500 -> "1.5", 1E+2 -> "100", -0 -> "0"."""
    if not value.is_finite():
        raise CanonicalError(f"{value} is not a finite quantity")
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def canonical_datetime(value: dt.datetime) -> str:
    """Aware datetime in UTC with microseconds, e.g. 2025-01-02T15:04:05.000000Z."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise CanonicalError("a naive datetime has no single instant; make it timezone-aware")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_PLAIN = frozenset({str, int, bool, type(None)})


def canonical_value(value):
    """Map a Python value onto JSON values with exactly one spelling each."""
    kind = type(value)
    # Exact-type fast paths first: verification calls this for every field of every entry.
    if kind in _PLAIN:
        return value
    if kind is uuid.UUID:
        return str(value)
    if kind is Decimal:
        return canonical_decimal(value)
    if kind is dict:
        return _canonical_mapping(value)
    # Enums (TextChoices are str subclasses) by value; bool before int, as bool is an int.
    if isinstance(value, Enum):
        return canonical_value(value.value)
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        raise CanonicalError("floats are not allowed in ledger content; use Decimal")
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    if isinstance(value, dt.datetime):
        return canonical_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return _canonical_mapping(value)
    if isinstance(value, list | tuple):
        return [canonical_value(item) for item in value]
    raise CanonicalError(f"{type(value).__name__} has no canonical form")


def _canonical_mapping(value: Mapping) -> dict:
    out = {}
    for key, item in value.items():
        if type(key) is not str:
            raise CanonicalError(f"mapping keys must be strings, got {key!r}")
        out[key] = canonical_value(item)
    return out


def canonical_bytes(content: Mapping) -> bytes:
    """UTF-8 JSON with sorted keys and no whitespace: the bytes that are hashed."""
    return json.dumps(
        canonical_value(content),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def chain_hash(prev_hash: str, content: Mapping) -> str:
    """sha256(prev_hash as ASCII hex + canonical content), as lower-case hex."""
    if len(prev_hash) != 64:
        raise CanonicalError("prev_hash must be 64 hex characters")
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_bytes(content)).hexdigest()


# ---------------------------------------------------------------------------
# Chain verification
# ---------------------------------------------------------------------------


class BreakKind(StrEnum):
    """Why an entry is the first bad one."""

    CHANGED = "changed"  # its content no longer matches its stored hash
    MISSING_BEFORE = "missing_before"  # an entry before it was deleted (or its link edited)
    INSERTED = "inserted"  # it was put into the chain after the fact
    SEQUENCE = "sequence"  # its sequence number does not follow the previous one
    TRUNCATED = "truncated"  # entries at the end are gone (seen against a head mark)


@dataclass(frozen=True)
class ChainBreak:
    """The first entry at which the chain stops being what was written."""

    position: int  # 0-based index in the verified order; == entries for a truncated tail
    sequence: int | None
    entry_id: str | None
    kind: BreakKind
    reason: str


@dataclass(frozen=True)
class ChainVerdict:
    """Result of recomputing a chain."""

    valid: bool
    entries: int
    head: str
    first_bad: ChainBreak | None = None


@dataclass(frozen=True)
class HeadMark:
    """A head written down earlier: the last entry's sequence and hash."""

    sequence: int
    hash: str


# How far back to look for the hash an out-of-place link points to, when telling an
# insertion from a deletion. Bounded so verification stays O(1) in memory.
_LOOKBACK = 256


def verify_chain(
    rows: Iterable[tuple[Mapping, str, str]],
    *,
    saved_head: str | None = None,
    recorded_head: HeadMark | None = None,
    sequence_key: str = "sequence",
    id_key: str = "id",
    genesis: str = GENESIS_HASH,
) -> ChainVerdict:
    """Recompute a chain of (content, stored hash, stored prev hash) in sequence order.

    `saved_head` is a hash printed earlier and kept outside the database: it must still be
    in the chain. `recorded_head` is the chain's own head mark (kept by the ledger in the
    database): the chain must end exactly there, which catches rows appended or removed at
    the end with raw SQL.
    """
    previous_hash = genesis
    previous_sequence = None
    recent: deque[tuple[str, int]] = deque(maxlen=_LOOKBACK)
    recent_index: dict[str, int] = {}
    saved_seen = saved_head is None or saved_head == genesis
    count = 0

    def broken(position, content, kind, reason):
        return ChainVerdict(
            valid=False,
            entries=count,
            head=previous_hash,
            first_bad=ChainBreak(
                position=position,
                sequence=content.get(sequence_key) if content is not None else None,
                entry_id=str(content.get(id_key)) if content is not None else None,
                kind=kind,
                reason=reason,
            ),
        )

    contents: deque[Mapping] = deque(maxlen=_LOOKBACK)

    for position, (content, stored_hash, stored_prev) in enumerate(rows):
        sequence = content.get(sequence_key)
        if stored_prev != previous_hash:
            # Does the link skip back to an earlier entry? Then the entries in between
            # were inserted; the first of them is the first bad entry.
            back = recent_index.get(stored_prev)
            if back is not None and back < position - 1:
                first_inserted = back + 1
                offset = position - first_inserted
                inserted_content = contents[-offset]
                return broken(
                    first_inserted,
                    inserted_content,
                    BreakKind.INSERTED,
                    "entry was inserted: the next entry links past it",
                )
            if previous_sequence is not None and sequence is not None:
                gap = sequence - previous_sequence - 1
                missing = (
                    f"entry {previous_sequence + 1} is missing"
                    if gap == 1
                    else f"entries {previous_sequence + 1}-{sequence - 1} are missing"
                    if gap > 1
                    else "the entry before it was altered"
                )
            else:
                missing = "an entry before it was deleted or altered"
            return broken(
                position,
                content,
                BreakKind.MISSING_BEFORE,
                f"previous hash does not match: {missing}",
            )
        try:
            recomputed = chain_hash(stored_prev, content)
        except CanonicalError as exc:
            return broken(position, content, BreakKind.CHANGED, f"content is not canonical: {exc}")
        if recomputed != stored_hash:
            return broken(
                position, content, BreakKind.CHANGED, "content does not match its stored hash"
            )
        if (
            previous_sequence is not None
            and sequence is not None
            and sequence != previous_sequence + 1
        ):
            kind = BreakKind.INSERTED if sequence > previous_sequence + 1 else BreakKind.SEQUENCE
            return broken(
                position,
                content,
                kind,
                f"sequence {sequence} does not follow {previous_sequence}",
            )
        if recorded_head is not None and previous_sequence == recorded_head.sequence:
            return broken(
                position,
                content,
                BreakKind.INSERTED,
                f"entry after the recorded head (sequence {recorded_head.sequence}) was not "
                "written by the ledger",
            )
        if len(recent) == recent.maxlen:
            old_hash, old_position = recent[0]
            if recent_index.get(old_hash) == old_position:
                del recent_index[old_hash]
        recent.append((stored_hash, position))
        recent_index[stored_hash] = position
        contents.append(content)
        previous_hash = stored_hash
        previous_sequence = sequence
        count += 1
        if not saved_seen and stored_hash == saved_head:
            saved_seen = True

    if recorded_head is not None and (
        previous_sequence != recorded_head.sequence or previous_hash != recorded_head.hash
    ):
        if previous_sequence is None or previous_sequence < recorded_head.sequence:
            reason = (
                f"chain ends at sequence {previous_sequence or 0} but the ledger recorded "
                f"{recorded_head.sequence}: entries at the end were deleted"
            )
        else:
            reason = "last entry does not match the ledger's recorded head"
        return _truncated(count, previous_hash, (previous_sequence or 0) + 1, reason)
    if not saved_seen:
        return _truncated(
            count,
            previous_hash,
            None,
            f"saved head {saved_head} is not in the chain: the ledger was truncated "
            "or rewritten since it was saved",
        )
    return ChainVerdict(valid=True, entries=count, head=previous_hash)


def _truncated(count: int, head: str, sequence: int | None, reason: str) -> ChainVerdict:
    """The verdict on a chain whose end is missing: the break is just past its last entry."""
    return ChainVerdict(
        valid=False,
        entries=count,
        head=head,
        first_bad=ChainBreak(
            position=count,
            sequence=sequence,
            entry_id=None,
            kind=BreakKind.TRUNCATED,
            reason=reason,
        ),
    )
