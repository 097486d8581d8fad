"""Verification of a clinic's ledger: the hash chain (fast path), its checkpoints, its audit trail.

On PostgreSQL a stretch is first checked by the database alone (`_check_range_in_database`):
one query hashes every entry's message, checks the links and sequence numbers and returns one
row, and only the entries whose nested data it cannot write canonically are rebuilt here. A
long chain is cut into stretches that two connections take in turn. Failing that, the line
path: the database writes each entry's hashed message (prev_hash + canonical JSON) from its
columns and, for an entry without data, hashes it too (`pg_catalog.sha256`); each entry comes
through a server-side cursor as one short line (sequence, hash, previous hash and whether the
database's hash matched, or the message of an entry with data), with no model instances and
no per-column Python values. `rules.fastchain.check_lines` checks the verdicts, hashes the
entries with data, and checks every link and sequence number. Elsewhere the message is built
from `.values()` rows and hashed here. On the first anomaly the reference verifier
(`rules.verify_chain`) re-reads the same stretch and names the first bad entry, so diagnostics
are exactly the reference's.

By default verification starts at the latest checkpoint (incremental): the checkpoint's HMAC
must verify, the chain must still reach its sequence with its hash, and every entry after it is
recomputed. `full=True` recomputes the chain from its first entry.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Case, DateTimeField, F, Value, When

from ketaclinic.audit.queries import object_ids_of_actions
from ketaclinic.inventory import anchors, rules
from ketaclinic.inventory import definitions as d
from ketaclinic.inventory.models import (
    HASHED_COLUMNS,
    LedgerChainHead,
    LedgerCheckpoint,
    LedgerEntry,
    entry_content,
)
from ketaclinic.inventory.rules import fastchain

BATCH = 5000
MOVEMENT_ACTIONS = tuple(f"ledger.{kind.value}" for kind in d.EntryType)
# Audit events this long before a checkpoint are checked by incremental verification too: an
# entry written while the checkpoint was being taken has its audit event just before it.
AUDIT_OVERLAP = dt.timedelta(days=1)
# Model attribute of each fast-row field (the content key "lot" is the column "lot_id").
_ATTRIBUTE = {
    "id": "id",
    "clinic": "clinic_id",
    "actor": "actor_id",
    "lot": "lot_id",
    "location": "location_id",
    "to_location": "to_location_id",
    "session": "session_id",
    "patient": "patient_id",
    "related_entry": "related_entry_id",
    "witness": "witness_id",
    "second_witness": "second_witness_id",
}


# --- reading rows --------------------------------------------------------------------------


def _field(name: str):
    return LedgerEntry._meta.get_field(_ATTRIBUTE.get(name, name).removesuffix("_id"))


def _column(name: str) -> str:
    return _field(name).column


@dataclass(frozen=True)
class _NullSwitch:
    """Text that depends on whether a nullable column is NULL: `CASE WHEN col IS NULL THEN
    if_null ELSE if_set END`. The literals around a nullable value are folded into these, and
    concat() skips the NULL value itself, so `null` or `"value"` costs no string operations."""

    column: str
    if_null: str
    if_set: str

    def sql(self) -> str:
        return f"CASE WHEN {self.column} IS NULL THEN '{self.if_null}' ELSE '{self.if_set}' END"


def _sql_json(name: str, kind: str) -> list:
    """PostgreSQL pieces giving the canonical JSON text of one hashed column.

    Literals are quoted SQL strings ('...'), NULL-dependent text is a `_NullSwitch`. concat()
    writes each column with its type's own output: no intermediate strings. An empty text is
    `""` without to_json().
    """
    if name == "v":
        return [f"'{rules.CANONICAL_VERSION}'"]
    col = connection.ops.quote_name(_column(name))
    if kind == fastchain.UUID:
        value, quoted = col, True
    elif kind == fastchain.DECIMAL:
        value, quoted = f"trim_scale({col})", True
    elif kind == fastchain.TIME:
        # to_char writes a year BC as the same digits as AD: mark it, so that no such
        # instant gives a canonical message (Python has no year before 1).
        utc = f"{col} AT TIME ZONE 'UTC'"
        value = f'to_char({utc}, \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\')'
        value, quoted = f"{value}, CASE WHEN {utc} < '0001-01-01' THEN ' BC' END", True
    elif kind == fastchain.TEXT:
        value, quoted = f"CASE WHEN {col} = '' THEN '\"\"' ELSE to_json({col})::text END", False
    else:  # sequence
        value, quoted = col, False
    if not _field(name).null:
        return ["'\"'", value, "'\"'"] if quoted else [value]
    quote = '"' if quoted else ""
    return [_NullSwitch(col, "null", quote), value, _NullSwitch(col, "", quote)]


def _literal(piece) -> bool:
    return (
        isinstance(piece, str)
        and len(piece) >= 2
        and piece[0] == piece[-1] == "'"
        and "'" not in piece[1:-1]
    )


def _merged(pieces: list) -> list[str]:
    """Adjacent literals as one, and literals folded into the NULL switch next to them."""
    merged = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if _literal(piece) and _literal(last):
            merged[-1] = last[:-1] + piece[1:]
        elif _literal(piece) and isinstance(last, _NullSwitch):
            text = piece[1:-1]
            merged[-1] = _NullSwitch(last.column, last.if_null + text, last.if_set + text)
        elif isinstance(piece, _NullSwitch) and _literal(last):
            text = last[1:-1]
            merged[-1] = _NullSwitch(piece.column, text + piece.if_null, text + piece.if_set)
        else:
            merged.append(piece)
    return [piece.sql() if isinstance(piece, _NullSwitch) else piece for piece in merged]


def _sql_concat(prev_hash: str, head, data: str, tail, known: dict | None = None) -> str:
    """The hashed message as one `concat(...)` (one copy into the result, unlike `||`).
    `known`: field name -> its canonical JSON as an SQL literal, the same for every row."""
    pieces = [prev_hash, "'{'"]
    for fields in (head, None, tail):
        if fields is None:
            pieces.append("',\"data\":'")
            pieces.append(data)
            continue
        for name, kind in fields:
            separator = "" if pieces[-1] == "'{'" else ","
            pieces.append(f"'{separator}\"{name}\":'")
            if known and name in known:
                pieces.append(known[name])
            else:
                pieces.extend(_sql_json(name, kind))
    pieces.append("'}'")
    return f"concat({', '.join(_merged(pieces))})"


# A clinic's entries in a range of sequence numbers, in chain order (both line queries).
_RANGE = "WHERE clinic_id = %s AND sequence >= %s AND sequence <= %s ORDER BY sequence"


def _message_sql() -> tuple[str, str, str]:
    """(table, data column, the hashed message as SQL): the one message both line queries send
    or hash, so that they cannot disagree on it."""
    q = connection.ops.quote_name
    table, data = q(LedgerEntry._meta.db_table), q(_column("data"))
    message = _sql_concat(
        q("prev_hash"), fastchain.HEAD_FIELDS, f"{data}::text", fastchain.TAIL_FIELDS
    )
    return table, data, message


def _lines_sql() -> str:
    """A clinic's entries as `rules.fastchain` lines, one text column, in sequence order.

    Each line is `sequence TAB hash TAB message TAB data`. JSON escapes tabs inside the message
    and data; a tab in a hash column (no real hash has one) adds a field, and a line that does
    not split into four fields fails.
    """
    table, data, message = _message_sql()
    stored = connection.ops.quote_name("hash")
    return (
        f"SELECT concat(sequence, E'\\t', {stored}, E'\\t', {message}, E'\\t', "  # noqa: S608 (names from the model)
        f"CASE WHEN {data} = '{{}}'::jsonb THEN '' ELSE {data}::text END) FROM {table} {_RANGE}"
    )


def _checked_lines_sql() -> str:
    """A clinic's entries as `rules.fastchain.check_lines` lines, in sequence order.

    Each line is `sequence TAB hash TAB prev_hash TAB verdict TAB message TAB data`. An entry
    without data is hashed by the database: the verdict says whether SHA-256 of the message's
    UTF-8 bytes equals the stored hash, and message and data are empty. An entry with data has
    an empty verdict and its message and data, as in `_lines_sql`, for Python to hash.
    `pg_catalog.sha256` is named with its schema so that no other function can stand in for it.
    """
    q = connection.ops.quote_name
    table, data, message = _message_sql()
    stored = q("hash")
    digest = f"encode(pg_catalog.sha256(convert_to({message}, 'UTF8')), 'hex')"
    no_data = f"{data} = '{{}}'::jsonb"
    equal, different = fastchain.HASHED_EQUAL.decode(), fastchain.HASHED_DIFFERENT.decode()
    return (
        f"SELECT concat(sequence, E'\\t', {stored}, E'\\t', {q('prev_hash')}, E'\\t', "  # noqa: S608 (names from the model)
        f"CASE WHEN {no_data} THEN CASE WHEN {digest} = {stored} THEN '{equal}' "
        f"ELSE '{different}' END ELSE '' END, E'\\t', "
        f"CASE WHEN {no_data} THEN '' ELSE {message} END, E'\\t', "
        f"CASE WHEN {no_data} THEN '' ELSE {data}::text END) FROM {table} {_RANGE}"
    )


def _canonical_data_sql(data: str) -> str:
    """PostgreSQL writing the canonical JSON of a flat "data" object: keys sorted by code point
    (byte order of UTF-8, COLLATE "C"), no spaces, each value as jsonb writes it. A nested
    value is written with jsonb's spaces, so its entry does not match here and its message is
    rebuilt in Python (`_recheck`)."""
    pair = "concat(to_json(e.key)::text, ':', e.value::text)"
    return (
        f"CASE WHEN {data} = '{{}}'::jsonb THEN '{{}}' ELSE (SELECT concat('{{', "  # noqa: S608 (names from the model)
        f"string_agg({pair}, ',' ORDER BY e.key COLLATE \"C\"), '}}') "
        f"FROM jsonb_each({data}) AS e) END"
    )


def _compact_data_sql(data: str) -> str:
    """The "data" object as jsonb writes it, without the space after each key's colon and after
    each comma before a quote: the canonical JSON whenever jsonb's key order (shorter keys
    first) is code-point order and nothing nests an array, with no per-key work.

    Taken only when the compact text reads back as exactly this value (its jsonb text equals
    the column's): otherwise the spaces removed were inside a string, and the canonical text is
    written key by key (`_canonical_data_sql`). So the text hashed always stands for the
    column's value, and a hash that matches it proves the value is the one hashed at writing.
    """
    compact = f"replace(replace({data}::text, '\": ', '\":'), ', \"', ',\"')"
    return (
        f"CASE WHEN {data} = '{{}}'::jsonb THEN '{{}}' "
        f"WHEN {compact}::jsonb::text = {data}::text THEN {compact} "
        f"ELSE {_canonical_data_sql(data)} END"
    )


def _utf8(text_sql: str, *, as_sent: bool) -> str:
    """The UTF-8 bytes of a text. `as_sent`: the database and this connection both use UTF-8,
    so the text's wire form (`textsend`) is those bytes, without convert_to()'s re-validation
    of text the database already holds as valid UTF-8."""
    if as_sent:
        return f"pg_catalog.textsend({text_sql})"
    return f"convert_to({text_sql}, 'UTF8')"


def _verdict_sql(clinic_id, *, as_sent: bool = False) -> str:
    """One row for a stretch of a clinic's chain, checked by the database: (entries, every
    link and sequence number intact, the saved head seen, the entries whose hash did not match
    the message the database wrote). Links: each previous hash is the hash before it, each
    sequence follows the one before. `as_sent`: see `_utf8`.

    Every row of the stretch has this clinic, so its id is written into the message as text
    once, not per row. Each entry's digest is compared below the window, so the rows the window
    keeps for lag() are four narrow columns, not the whole entry.
    """
    q = connection.ops.quote_name
    table, data = q(LedgerEntry._meta.db_table), q(_column("data"))
    known = {"clinic": f"'\"{uuid.UUID(str(clinic_id))}\"'"}
    stored, previous = q("hash"), q("prev_hash")

    def matches(data_sql: str) -> str:
        message = _sql_concat(
            previous, fastchain.HEAD_FIELDS, data_sql, fastchain.TAIL_FIELDS, known
        )
        return f"encode(pg_catalog.sha256({_utf8(message, as_sent=as_sent)}), 'hex') = {stored}"

    # Keys that jsonb orders otherwise than code points get a second message, key by key.
    hashed = (
        f"({matches(_compact_data_sql(data))} OR ({data} <> '{{}}'::jsonb "
        f"AND {matches(_canonical_data_sql(data))}))"
    )
    entries = (
        f"SELECT sequence, {stored}, {previous}, {hashed} AS hashed, "  # noqa: S608 (names from the model)
        f"{stored} = %s AS saved FROM {table} "
        "WHERE clinic_id = %s AND sequence >= %s AND sequence <= %s ORDER BY sequence OFFSET 0"
    )
    # A NULL anywhere (a column stripped of NOT NULL) is neither matched nor linked.
    return (
        "SELECT count(*), coalesce(bool_and(linked), true), coalesce(bool_or(saved), false), "  # noqa: S608 (names from the model)
        "array_agg(sequence) FILTER (WHERE hashed IS NOT TRUE) "
        "FROM (SELECT sequence, hashed, saved, row_number() OVER w = 1 OR coalesce("
        f"{previous} = lag({stored}) OVER w AND sequence = lag(sequence) OVER w + 1, false) "
        f"AS linked FROM ({entries}) AS entry WINDOW w AS (ORDER BY sequence)) AS checked"
    )


# Entries whose hash the database did not match (nested data) are rebuilt in Python; past this
# share of a stretch, the line path reads the whole stretch instead.
RECHECK_SHARE = 0.25


def _recheck(clinic_id, sequences: list[int]) -> bool:
    """Whether SHA-256 of each entry's message, built as the line path builds it (its data
    re-serialized the reference's way), equals its stored hash."""
    table, data, message = _message_sql()
    sql = (
        f"SELECT concat(sequence, E'\\t', {connection.ops.quote_name('hash')}, E'\\t', "  # noqa: S608 (names from the model)
        f"{message}, E'\\t', CASE WHEN {data} = '{{}}'::jsonb THEN '' ELSE {data}::text END) "
        f"FROM {table} WHERE clinic_id = %s AND sequence = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [clinic_id, sequences])
        rows = [fastchain.line_row(row[0].encode()) for row in cursor.fetchall()]
    if len(rows) != len(sequences):
        return False
    return all(fastchain.hashes([row]) == [row[1].decode()] for row in rows)


def _verification_settings(cursor) -> bool:
    """No JIT for the rest of this transaction; whether the database and this connection both
    use UTF-8 (`_utf8`). The verification queries are one long row of function calls per entry;
    PostgreSQL's JIT (on by default from a plan cost of 100,000, which a few thousand entries
    reach) compiles them into code measured about 20% slower than its own expression
    interpreter (docs/performance.md)."""
    cursor.execute(
        "SELECT set_config('jit', 'off', true), current_setting('server_encoding'), "
        "current_setting('client_encoding')"
    )
    _jit, server, client = cursor.fetchone()
    return server == client == "UTF8"


def _check_range_in_database(clinic_id, first: int, last: int, saved: str) -> _Range | None:
    """The stretch checked by PostgreSQL (nothing per entry crosses the wire but the few whose
    data it cannot write canonically); None when anything does not check, for the line path to
    find out why."""
    q = connection.ops.quote_name
    table = q(LedgerEntry._meta.db_table)
    ends = (
        f"(SELECT sequence, {q('hash')}, {q('prev_hash')} FROM {table} "  # noqa: S608 (names from the model)
        "WHERE clinic_id = %s AND sequence >= %s AND sequence <= %s ORDER BY sequence {} LIMIT 1)"
    )
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if own_transaction:  # the verdict and the ends from one snapshot
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        utf8 = _verification_settings(cursor)
        cursor.execute(_verdict_sql(clinic_id, as_sent=utf8), [saved, clinic_id, first, last])
        count, linked, seen, unmatched = cursor.fetchone()
        if not linked or len(unmatched or ()) > RECHECK_SHARE * count:
            return None
        if unmatched and not _recheck(clinic_id, unmatched):
            return None
        if count == 0:
            return _Range()
        bounds = [clinic_id, first, last]
        cursor.execute(f"{ends.format('ASC')} UNION ALL {ends.format('DESC')}", bounds + bounds)
        (first_seq, _h, first_prev), (last_seq, last_hash, _p) = cursor.fetchall()
    return _Range(
        ok=True,
        count=count,
        first_prev=first_prev,
        first_sequence=first_seq,
        last_hash=last_hash,
        last_sequence=last_seq,
        saved_seen=bool(seen),
    )


def _streamed_lines(sql: str, clinic_id, from_sequence: int, to_sequence: int | None):
    last = LAST if to_sequence is None else to_sequence
    with transaction.atomic():
        with connection.cursor() as settings:
            _verification_settings(settings)
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(sql, [clinic_id, from_sequence, last])
            while rows := cursor.fetchmany(BATCH):
                yield [row[0].encode() for row in rows]
        finally:
            cursor.close()


def line_batches(clinic_id, from_sequence: int = 0, to_sequence: int | None = None):
    """Batches of a clinic's entries as lines (bytes) through a server-side cursor, inside one
    snapshot (PostgreSQL): one text value per entry, nothing else for psycopg to build."""
    return _streamed_lines(_lines_sql(), clinic_id, from_sequence, to_sequence)


def checked_line_batches(clinic_id, from_sequence: int = 0, to_sequence: int | None = None):
    """`line_batches`, with the entries without data hashed by the database (PostgreSQL)."""
    return _streamed_lines(_checked_lines_sql(), clinic_id, from_sequence, to_sequence)


def _fast_rows_generic(clinic_id, from_sequence: int, to_sequence: int):
    """Batches of fast rows from `.values()` (SQLite: values need Django's converters)."""
    columns = {name: _ATTRIBUTE.get(name, name) for name, _kind in fastchain.SORTED_FIELDS}
    del columns["v"]
    rows = (
        LedgerEntry.objects.filter(
            clinic_id=clinic_id, sequence__gte=from_sequence, sequence__lte=to_sequence
        )
        .order_by("sequence")
        .values("hash", "prev_hash", *columns.values())
        .iterator(chunk_size=BATCH)
    )
    batch = []
    for row in rows:
        values = {name: row[attribute] for name, attribute in columns.items()}
        batch.append(fastchain.split_row(values, row["hash"], row["prev_hash"]))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


LAST = 2**62


def fast_rows(clinic_id, from_sequence: int = 0, to_sequence: int = LAST):
    """A clinic's entries from `from_sequence` on, as batches of `rules.fastchain` rows."""
    if connection.vendor == "postgresql":
        batches = line_batches(clinic_id, from_sequence, to_sequence)
        return ([fastchain.line_row(line) for line in lines] for lines in batches)
    return _fast_rows_generic(clinic_id, from_sequence, to_sequence)


# The instants Python can hold. One outside them (a year before 1, 'infinity') was written by
# no ledger service: it is read as no instant at all, so its entry does not hash and the
# reference names it, instead of the read failing.
_READABLE = (dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC))


def chain_rows(clinic_id, chunk_size: int = 2000, from_sequence: int = 0):
    """(content, hash, prev_hash) of a clinic's entries in sequence order, streamed (reference)."""
    columns = (*(c for c in HASHED_COLUMNS if c != "occurred_at"), "hash", "prev_hash")
    readable = Case(
        When(occurred_at__range=_READABLE, then=F("occurred_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )
    rows = (
        LedgerEntry.objects.filter(clinic_id=clinic_id, sequence__gte=from_sequence)
        .order_by("sequence")
        .values(*columns, readable_occurred_at=readable)
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        row["occurred_at"] = row.pop("readable_occurred_at")
        yield entry_content(row), row["hash"], row["prev_hash"]


# --- the chain -------------------------------------------------------------------------------


def _recorded_head(clinic_id) -> rules.HeadMark | None:
    head = LedgerChainHead.objects.filter(clinic_id=clinic_id).first()
    return rules.HeadMark(head.sequence, head.head_hash) if head else None


@dataclass
class _Range:
    """What the fast path found over one stretch of sequence numbers."""

    ok: bool = True
    count: int = 0
    first_prev: str | None = None
    first_sequence: int | None = None
    last_hash: str | None = None
    last_sequence: int | None = None
    saved_seen: bool = False


# A long chain on PostgreSQL is checked over two connections at once, in stretches of CHUNK
# entries that each connection takes in turn as it finishes the last: the database builds
# one stretch's messages while the other connection builds another's, and a connection that
# runs slower (a busy core) takes fewer stretches instead of holding up the end.
PARALLEL_MIN_ENTRIES = 50_000
CHUNK = 25_000
WORKERS = 2


def _ranges(from_sequence: int, recorded_head) -> list[tuple[int, int]]:
    if (
        connection.vendor != "postgresql"
        or connection.in_atomic_block  # other connections could not see this transaction
        or recorded_head is None
        or recorded_head.sequence - from_sequence < PARALLEL_MIN_ENTRIES
    ):
        return [(from_sequence, LAST)]
    bounds = range(from_sequence, recorded_head.sequence + 1, CHUNK)
    return [(lo, lo + CHUNK - 1) for lo in bounds[:-1]] + [(bounds[-1], LAST)]


def _check_lines(batches, found: _Range, saved: bytes) -> tuple[bytes | None, int | None]:
    """The PostgreSQL stretch: the first line gives the link it starts from, then the hot loop."""
    last_hash, last_sequence = None, None
    for lines in batches:
        if last_hash is None:
            sequence, previous = fastchain.checked_line_head(lines[0])
            found.first_prev, found.first_sequence = previous.decode(), sequence
            last_hash = previous
        found.ok, count, last_hash, last_sequence, seen = fastchain.check_lines(
            lines, last_hash, last_sequence, saved
        )
        found.count += count
        found.saved_seen = found.saved_seen or seen
        if not found.ok:
            break
    return last_hash, last_sequence


def _check_range(clinic_id, first: int, last: int, saved_head) -> _Range:
    if connection.vendor == "postgresql":
        try:
            checked = _check_range_in_database(clinic_id, first, last, saved_head or "")
        except (DatabaseError, ValueError):  # ValueError: a clinic id that is no UUID
            checked = None
        if checked is not None:
            return checked
    found = _Range()
    saved = saved_head.encode() if saved_head else b""
    last_hash, last_sequence = None, None
    try:
        if connection.vendor == "postgresql":
            batches = checked_line_batches(clinic_id, first, last)
            try:
                last_hash, last_sequence = _check_lines(batches, found, saved)
            finally:
                batches.close()
        else:
            for batch in fast_rows(clinic_id, first, last):
                if found.first_prev is None:
                    found.first_prev = batch[0][2][:64].decode()
                    found.first_sequence = batch[0][0]
                    last_hash = batch[0][2][:64]
                found.ok, count, last_hash, last_sequence, seen = fastchain.check_rows(
                    batch, last_hash, last_sequence, saved
                )
                found.count += count
                found.saved_seen = found.saved_seen or seen
                if not found.ok:
                    break
    except (rules.CanonicalError, ValueError, TypeError, UnicodeDecodeError):
        found.ok = False
    if found.ok and last_hash is not None:
        found.last_hash, found.last_sequence = last_hash.decode(), last_sequence
    return found


def _check_ranges_in_parallel(clinic_id, ranges, saved_head) -> list[_Range]:
    """Each range checked by one of WORKERS threads (each with its own connection); once one
    stretch does not check, the rest are not read (the reference takes over)."""
    found = [_Range(ok=False) for _ in ranges]  # a stretch not read does not check
    # The open-ended last stretch first, right after the recorded head was read: an entry
    # appended meanwhile would otherwise be found past that head (a false alarm).
    order = [len(ranges) - 1, *range(len(ranges) - 1)]
    pending = iter([(index, ranges[index]) for index in order])
    lock, broken = threading.Lock(), threading.Event()

    def work():
        try:
            while not broken.is_set():
                with lock:
                    index, bounds = next(pending, (None, None))
                if index is None:
                    return
                found[index] = _check_range(clinic_id, *bounds, saved_head)
                if not found[index].ok:
                    broken.set()
        except BaseException:
            broken.set()  # the other thread stops too
            raise
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for running in [pool.submit(work) for _ in range(WORKERS)]:
            running.result()
    return found


def verify_chain_from(
    clinic_id,
    *,
    from_sequence: int = 0,
    genesis: str = rules.GENESIS_HASH,
    saved_head: str | None = None,
    recorded_head: rules.HeadMark | None = None,
) -> rules.ChainVerdict:
    """Recompute the chain from `from_sequence` (whose prev_hash must be `genesis`) to its end.

    Same verdict as `rules.verify_chain` over `chain_rows`: the fast path decides an intact
    chain; anything else is handed to the reference to name the first bad entry.
    """
    saved_seen = saved_head is None or saved_head == genesis
    ranges = _ranges(from_sequence, recorded_head)
    if len(ranges) == 1:
        parts = [_check_range(clinic_id, *ranges[0], saved_head)]
    else:
        parts = _check_ranges_in_parallel(clinic_id, ranges, saved_head)
    ok = all(part.ok for part in parts)
    previous_hash, previous_sequence, count = genesis, None, 0
    for part in parts:
        if not ok or part.count == 0:
            continue
        links = part.first_prev == previous_hash and (
            previous_sequence is None or part.first_sequence == previous_sequence + 1
        )
        ok = ok and links
        previous_hash, previous_sequence = part.last_hash, part.last_sequence
        count += part.count
        saved_seen = saved_seen or part.saved_seen
    if ok and recorded_head is not None:
        ok = (previous_sequence, previous_hash) == (recorded_head.sequence, recorded_head.hash) or (
            previous_sequence is None
            and recorded_head.sequence == 0
            and recorded_head.hash == genesis
        )
    if ok and saved_seen:
        return rules.ChainVerdict(valid=True, entries=count, head=previous_hash)
    return rules.verify_chain(
        chain_rows(clinic_id, from_sequence=from_sequence),
        saved_head=saved_head,
        recorded_head=recorded_head,
        genesis=genesis,
    )


def verify_clinic_chain(clinic_id, *, saved_head: str | None = None) -> rules.ChainVerdict:
    """Recompute a clinic's whole chain against its recorded head and, if given, a saved head."""
    return verify_chain_from(
        clinic_id, saved_head=saved_head, recorded_head=_recorded_head(clinic_id)
    )


# --- checkpoints and the audit trail -------------------------------------------------------


@dataclass(frozen=True)
class CheckpointCheck:
    """How the chain compares with a checkpoint."""

    id: str
    taken_at: dt.datetime
    sequence: int
    hash: str
    valid: bool
    reason: str = ""

    @property
    def label(self) -> str:
        return (
            f"checkpoint {self.id} of {self.taken_at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC "
            f"(sequence {self.sequence}, hash {self.hash})"
        )


@dataclass(frozen=True)
class MissingEntry:
    """A ledger audit event whose entry is not in the ledger."""

    object_id: str
    action: str
    occurred_at: dt.datetime


@dataclass(frozen=True)
class LedgerVerdict:
    """The chain, the latest checkpoint and the audit trail, checked together."""

    chain: rules.ChainVerdict
    mode: str  # "incremental" (from the latest checkpoint) or "full"
    from_sequence: int
    checkpoint: CheckpointCheck | None = None
    missing_entries: tuple[MissingEntry, ...] = ()
    audit_events_checked: int = 0

    @property
    def valid(self) -> bool:
        return (
            self.chain.valid
            and (self.checkpoint is None or self.checkpoint.valid)
            and not self.missing_entries
        )

    @property
    def entries(self) -> int:
        return self.chain.entries

    @property
    def head(self) -> str:
        return self.chain.head

    @property
    def first_bad(self):
        return self.chain.first_bad


def latest_checkpoint(clinic_id) -> LedgerCheckpoint | None:
    return LedgerCheckpoint.objects.filter(clinic_id=clinic_id).order_by("-taken_at", "-id").first()


def _mac_ok(checkpoint: LedgerCheckpoint, ring: dict[str, bytes]) -> bool:
    """The checkpoint's HMAC, checked with the key its fingerprint names (current or retired)."""
    key = ring.get(checkpoint.key_fingerprint)
    if key is None:
        return False
    return anchors.mac_matches(key, checkpoint.mac, **anchors.signed_fields(checkpoint))


def _stored_hash_at(clinic_id, sequence: int) -> str | None:
    if sequence == 0:
        return rules.GENESIS_HASH
    return (
        LedgerEntry.objects.filter(clinic_id=clinic_id, sequence=sequence)
        .values_list("hash", flat=True)
        .first()
    )


def _compare_with_checkpoint(clinic_id, checkpoint, ring, chain) -> CheckpointCheck:
    def result(valid: bool, reason: str = "") -> CheckpointCheck:
        return CheckpointCheck(
            id=str(checkpoint.pk),
            taken_at=checkpoint.taken_at,
            sequence=checkpoint.sequence,
            hash=checkpoint.head_hash,
            valid=valid,
            reason=reason,
        )

    if not _mac_ok(checkpoint, ring):
        unknown = checkpoint.key_fingerprint not in ring
        return result(
            False,
            "its HMAC does not verify: the checkpoint row was altered or forged"
            + (
                f" (or it was signed with a checkpoint key that is not on this server, "
                f"fingerprint {checkpoint.key_fingerprint})"
                if unknown
                else ""
            ),
        )
    stored = _stored_hash_at(clinic_id, checkpoint.sequence)
    if stored is None:
        last = (
            LedgerEntry.objects.filter(clinic_id=clinic_id)
            .order_by("-sequence")
            .values_list("sequence", flat=True)
            .first()
        ) or 0
        return result(
            False,
            f"the chain ends at sequence {last}, before the checkpoint's sequence "
            f"{checkpoint.sequence}: entries written before the checkpoint were removed",
        )
    if stored != checkpoint.head_hash:
        return result(
            False,
            f"entry #{checkpoint.sequence} now has hash {stored}, not the checkpoint's: the "
            "chain was rewritten since the checkpoint",
        )
    if not chain.valid and chain.first_bad is not None:
        bad = chain.first_bad.sequence
        if bad is not None and bad <= checkpoint.sequence:
            return result(False, f"the chain breaks at entry #{bad}, before the checkpoint")
    return result(True)


def missing_ledger_entries(clinic_id, *, since=None) -> tuple[int, tuple[MissingEntry, ...]]:
    """Ledger audit events (a movement's code) whose entry is gone: (events checked, missing)."""
    checked, missing = 0, []
    pending: list = []

    def flush():
        ids = [row[0] for row in pending]
        found = {
            str(value)
            for value in LedgerEntry.objects.filter(clinic_id=clinic_id, pk__in=ids).values_list(
                "pk", flat=True
            )
        }
        missing.extend(MissingEntry(*row) for row in pending if row[0] not in found)
        pending.clear()

    for object_id, action, occurred_at in object_ids_of_actions(
        clinic_id, MOVEMENT_ACTIONS, since=since
    ):
        checked += 1
        try:
            pending.append((str(uuid.UUID(object_id)), action, occurred_at))
        except ValueError:
            missing.append(MissingEntry(object_id, action, occurred_at))
        if len(pending) >= 2000:
            flush()
    if pending:
        flush()
    return checked, tuple(missing)


def verify_clinic_ledger(
    clinic_id,
    *,
    full: bool = False,
    saved_head: str | None = None,
    key: bytes | list[bytes] | None = None,
) -> LedgerVerdict:
    """The chain (from the latest checkpoint, or whole), the checkpoint, the audit trail."""
    recorded = _recorded_head(clinic_id)
    checkpoint = latest_checkpoint(clinic_id)
    # {fingerprint: key}: the current key (or the given ones) and keys retired by a rotation.
    ring = anchors.keyring(key) if checkpoint is not None else {}
    incremental = not full and saved_head is None and checkpoint is not None
    start, genesis = 0, rules.GENESIS_HASH
    if incremental and checkpoint.sequence > 0 and _mac_ok(checkpoint, ring):
        prev = (
            LedgerEntry.objects.filter(clinic_id=clinic_id, sequence=checkpoint.sequence)
            .values_list("prev_hash", flat=True)
            .first()
        )
        if prev is not None:
            start, genesis = checkpoint.sequence, prev
    if start == 0:
        incremental = False
    chain = verify_chain_from(
        clinic_id,
        from_sequence=start,
        genesis=genesis,
        saved_head=saved_head,
        recorded_head=recorded,
    )
    check = (
        _compare_with_checkpoint(clinic_id, checkpoint, ring, chain)
        if checkpoint is not None
        else None
    )
    since = checkpoint.taken_at - AUDIT_OVERLAP if incremental else None
    checked, missing = missing_ledger_entries(clinic_id, since=since)
    return LedgerVerdict(
        chain=chain,
        mode="incremental" if incremental else "full",
        from_sequence=start,
        checkpoint=check,
        missing_entries=missing,
        audit_events_checked=checked,
    )
