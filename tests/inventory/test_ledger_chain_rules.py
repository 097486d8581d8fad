"""Pure tests of the ledger's canonical serialization and hash-chain verification."""

import datetime as dt
import hashlib
import uuid
from decimal import Decimal

import pytest

from ketaclinic.inventory.rules import (
    GENESIS_HASH,
    BreakKind,
    CanonicalError,
    HeadMark,
    canonical_bytes,
    canonical_decimal,
    chain_hash,
    verify_chain,
)

UTC = dt.UTC
BASE_TIME = dt.datetime(2025, 3, 3, 14, 0, tzinfo=UTC)


def _content(sequence: int, quantity: str = "50") -> dict:
    return {
        "v": 1,
        "id": str(uuid.UUID(int=sequence)),
        "sequence": sequence,
        "entry_type": "draw",
        "quantity": Decimal(quantity),
        "occurred_at": BASE_TIME + dt.timedelta(minutes=sequence),
    }


def _chain(n: int) -> list[tuple[dict, str, str]]:
    rows, prev = [], GENESIS_HASH
    for sequence in range(1, n + 1):
        content = _content(sequence)
        digest = chain_hash(prev, content)
        rows.append((content, digest, prev))
        prev = digest
    return rows


# --- canonical serialization ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1.500"), "1.5"),
        (Decimal("100"), "100"),
        (Decimal("1E+2"), "100"),
        (Decimal("-0.000"), "0"),
        (Decimal("0.001"), "0.001"),
        (Decimal("-37.50"), "-37.5"),
    ],
)
def test_decimals_are_written_in_their_shortest_plain_form(value, expected):
    # given a quantity spelled in one of several equal ways
    # when it is canonicalized
    # then it has exactly one spelling
    assert canonical_decimal(value) == expected


def test_canonical_bytes_are_sorted_compact_json_with_strings_for_decimals_and_utc_times():
    # given content with keys out of order, a decimal, an aware datetime and a UUID
    content = {
        "quantity": Decimal("2.50"),
        "at": dt.datetime(2025, 1, 2, 10, 4, 5, 6, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        "lot": uuid.UUID("ABCDEF00-0000-0000-0000-000000000001"),
        "day": dt.date(2025, 1, 2),
        "n": 3,
        "ok": True,
        "none": None,
    }
    # when it is serialized
    # then the bytes follow the documented spec exactly
    assert canonical_bytes(content) == (
        b'{"at":"2025-01-02T15:04:05.000006Z","day":"2025-01-02",'
        b'"lot":"abcdef00-0000-0000-0000-000000000001","n":3,"none":null,"ok":true,'
        b'"quantity":"2.5"}'
    )


def test_the_same_entry_spelled_differently_has_the_same_hash():
    # given one entry with its quantity as 10.0 and its time in UTC+2, and the same entry
    # with 10 and the time in UTC, its keys in another order
    first = {"q": Decimal("10.0"), "at": dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)}
    second = {
        "at": dt.datetime(2025, 1, 1, 14, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        "q": Decimal("10"),
    }
    # when both are hashed
    # then the hashes are equal
    assert chain_hash(GENESIS_HASH, first) == chain_hash(GENESIS_HASH, second)


def test_a_hash_is_sha256_of_the_previous_hash_followed_by_the_canonical_content():
    # given a previous hash and some content
    prev = "ab" * 32
    content = {"name": "Zoë", "q": Decimal("1")}
    # when the chain hash is computed
    # then it equals the documented formula, with text kept as UTF-8
    expected = hashlib.sha256(prev.encode() + '{"name":"Zoë","q":"1"}'.encode()).hexdigest()
    assert chain_hash(prev, content) == expected


@pytest.mark.parametrize(
    "bad",
    [
        {"q": 1.5},
        {"at": dt.datetime(2025, 1, 1, 12)},
        {"q": Decimal("NaN")},
        {"q": Decimal("Infinity")},
        {1: "key is not a string"},
        {"x": object()},
    ],
)
def test_values_without_a_single_spelling_are_refused(bad):
    # given content with a float, a naive datetime, NaN or an unknown type
    # when it is serialized
    # then it is refused rather than hashed ambiguously
    with pytest.raises(CanonicalError):
        canonical_bytes(bad)


def test_a_change_of_one_microsecond_changes_the_hash():
    # given two entries one microsecond apart
    a = {"at": dt.datetime(2025, 1, 1, 12, 0, 0, 0, tzinfo=UTC)}
    b = {"at": dt.datetime(2025, 1, 1, 12, 0, 0, 1, tzinfo=UTC)}
    # then their hashes differ
    assert chain_hash(GENESIS_HASH, a) != chain_hash(GENESIS_HASH, b)


# --- chain verification ----------------------------------------------------------------


def test_an_untouched_chain_is_valid_and_reports_its_head():
    # given an intact chain of 10 entries
    rows = _chain(10)
    # when it is verified
    verdict = verify_chain(rows)
    # then it is valid, counts 10 entries and the head is the last hash
    assert verdict.valid
    assert verdict.entries == 10
    assert verdict.head == rows[-1][1]
    assert verdict.first_bad is None


def test_an_empty_chain_is_valid_with_the_genesis_head():
    verdict = verify_chain([])
    assert verdict.valid
    assert verdict.entries == 0
    assert verdict.head == GENESIS_HASH


def test_a_changed_quantity_is_reported_at_that_entry():
    # given a chain whose 4th entry had its quantity changed after it was written
    rows = _chain(8)
    content, digest, prev = rows[3]
    rows[3] = ({**content, "quantity": Decimal("5")}, digest, prev)
    # when it is verified
    verdict = verify_chain(rows)
    # then the 4th entry is the first bad one, as changed
    assert not verdict.valid
    assert verdict.first_bad.sequence == 4
    assert verdict.first_bad.kind == BreakKind.CHANGED
    assert verdict.first_bad.entry_id == str(uuid.UUID(int=4))


def test_a_changed_stored_hash_is_reported_at_that_entry():
    # given a chain where someone overwrote the 2nd entry's hash column
    rows = _chain(5)
    content, _digest, prev = rows[1]
    rows[1] = (content, "f" * 64, prev)
    # when it is verified
    verdict = verify_chain(rows)
    # then the 2nd entry is reported
    assert verdict.first_bad.sequence == 2
    assert verdict.first_bad.kind == BreakKind.CHANGED


def test_a_deleted_entry_is_reported_at_the_entry_after_the_gap_naming_the_missing_one():
    # given a chain with its 5th entry deleted
    rows = _chain(9)
    del rows[4]
    # when it is verified
    verdict = verify_chain(rows)
    # then entry 6 is the first bad one and the reason names entry 5 as missing
    assert verdict.first_bad.sequence == 6
    assert verdict.first_bad.kind == BreakKind.MISSING_BEFORE
    assert "entry 5 is missing" in verdict.first_bad.reason


def test_deleting_the_first_entry_breaks_the_link_to_genesis():
    rows = _chain(3)[1:]
    verdict = verify_chain(rows)
    assert verdict.first_bad.sequence == 2
    assert verdict.first_bad.kind == BreakKind.MISSING_BEFORE


def test_an_entry_inserted_in_the_middle_is_named_even_when_its_hash_is_correct():
    # given a chain where a forged entry with a correctly computed hash was inserted as
    # sequence 4 and the later entries renumbered
    rows = _chain(6)
    forged = {**_content(4, "100"), "id": "forged"}
    forged_hash = chain_hash(rows[2][1], forged)
    tail = [({**c, "sequence": c["sequence"] + 1}, h, p) for c, h, p in rows[3:]]
    tampered = [*rows[:3], (forged, forged_hash, rows[2][1]), *tail]
    # when it is verified
    verdict = verify_chain(tampered)
    # then the forged entry is named as inserted
    assert verdict.first_bad.entry_id == "forged"
    assert verdict.first_bad.kind == BreakKind.INSERTED
    assert verdict.first_bad.position == 3


def test_an_entry_appended_with_a_made_up_hash_is_reported():
    rows = _chain(3)
    rows.append((_content(4), "0" * 63 + "1", rows[-1][1]))
    verdict = verify_chain(rows)
    assert verdict.first_bad.sequence == 4
    assert verdict.first_bad.kind == BreakKind.CHANGED


def test_an_entry_appended_past_the_recorded_head_is_reported_as_inserted():
    # given a chain of 5 whose head the ledger recorded, then a 6th entry with a valid hash
    # written straight into the table
    rows = _chain(6)
    recorded = HeadMark(sequence=5, hash=rows[4][1])
    # when it is verified against the recorded head
    verdict = verify_chain(rows, recorded_head=recorded)
    # then entry 6 is named as inserted
    assert verdict.first_bad.sequence == 6
    assert verdict.first_bad.kind == BreakKind.INSERTED


def test_a_sequence_gap_without_a_broken_link_is_reported_as_inserted():
    rows = _chain(3)
    extra = _content(9)
    rows.append((extra, chain_hash(rows[-1][1], extra), rows[-1][1]))
    verdict = verify_chain(rows)
    assert verdict.first_bad.sequence == 9
    assert verdict.first_bad.kind == BreakKind.INSERTED


def test_entries_deleted_from_the_end_are_caught_by_the_recorded_head():
    # given a chain of 7 whose head mark says 7, with the last two rows deleted
    rows = _chain(7)
    recorded = HeadMark(sequence=7, hash=rows[-1][1])
    # when it is verified
    verdict = verify_chain(rows[:5], recorded_head=recorded)
    # then the first missing entry (6) is named
    assert not verdict.valid
    assert verdict.first_bad.kind == BreakKind.TRUNCATED
    assert verdict.first_bad.sequence == 6


def test_a_saved_head_from_earlier_is_accepted_when_entries_were_added_since():
    # given a head saved after 4 entries, and 3 more entries written since
    rows = _chain(7)
    saved = rows[3][1]
    # when verified against the saved head
    verdict = verify_chain(rows, saved_head=saved)
    # then the chain is valid
    assert verdict.valid
    assert verdict.head == rows[-1][1]


def test_a_chain_rewritten_after_its_head_was_saved_fails_against_the_saved_head():
    # given a head saved after 5 entries, then entry 2 changed and every later hash
    # recomputed so the chain is internally consistent again
    rows = _chain(5)
    saved = rows[-1][1]
    rewritten, prev = [], GENESIS_HASH
    for content, _h, _p in rows:
        if content["sequence"] == 2:
            content = {**content, "quantity": Decimal("1")}
        digest = chain_hash(prev, content)
        rewritten.append((content, digest, prev))
        prev = digest
    # when verified without and with the saved head
    alone = verify_chain(rewritten)
    against_saved = verify_chain(rewritten, saved_head=saved)
    # then only the saved head reveals the rewrite
    assert alone.valid
    assert not against_saved.valid
    assert against_saved.first_bad.kind == BreakKind.TRUNCATED
    assert saved in against_saved.first_bad.reason


def test_two_swapped_entries_are_reported_at_the_first_swapped_position():
    rows = _chain(5)
    rows[1], rows[2] = rows[2], rows[1]
    verdict = verify_chain(rows)
    assert not verdict.valid
    assert verdict.first_bad.position == 1
