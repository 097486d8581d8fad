"""The verification fast path builds exactly the reference canonical bytes, every entry type."""

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest

from ketaclinic.inventory import definitions as d
from ketaclinic.inventory import rules, verification
from ketaclinic.inventory.models import HASHED_FIELDS, LedgerChainHead, LedgerEntry
from ketaclinic.inventory.rules import fastchain
from ketaclinic.inventory.verification import chain_rows, fast_rows
from tests.inventory.test_ledger_tamper import ledger, raw_insert  # noqa: F401

# Text that needs every kind of JSON escape, and some that must not be escaped.
TRICKY = 'a"b\\c\n\r\t\b\f\x01\x1f\x7f \u2028\u2029 é 😀 {}[]:,\\n \\"'
TRICKY_DATA = {
    "z": None,
    "A": [1, -(2**70), 2**63, 0, True, False, None, "", [], {}],
    TRICKY: {"": TRICKY, "nested": {"b": [{"y": 1, "x": "\\"}], "a": {}}},
    "😀": "emoji key",
    "é": "accented key",
    "e": "plain key",
    "tab\tkey": "newline\nvalue",
}
T = dt.datetime(2026, 3, 8, 7, 59, 59, 120, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def content_of(entry_type: str, variant: int) -> dict:
    """A content dict like the ledger hashes, with the values each entry type carries.
    Variant 8 has no data and the hardest text (the database hashes such an entry itself)."""
    some = uuid.UUID(int=variant + 1)
    if variant == 8:
        return content_of(entry_type, 0) | {"actor_name": TRICKY, "reason": TRICKY * 3}
    return {
        "v": 1,
        "id": uuid.uuid4(),
        "clinic": uuid.uuid4(),
        "sequence": 10 + variant,
        "entry_type": entry_type,
        "occurred_at": T + dt.timedelta(microseconds=variant),
        "actor": uuid.uuid4(),
        "actor_name": ["Sam Jones, RN", 'Zoë "Z" Ødegård\\MD', "李 医生\n", TRICKY][variant % 4],
        "lot": uuid.uuid4(),
        "location": some if variant % 2 else None,
        "to_location": some if entry_type == d.EntryType.TRANSFER else None,
        "quantity": [Decimal("36.500"), Decimal("0.000"), Decimal("-40.000"), Decimal("1E+2")][
            variant % 4
        ],
        "stock_delta": [Decimal("-36.5"), Decimal("0"), Decimal("999999999.000"), Decimal("0.001")][
            variant % 4
        ],
        "unit": "mg" if variant % 2 else "device",
        "session": some if variant % 3 else None,
        "patient": some if variant % 3 else None,
        "related_entry": some if variant == 2 else None,
        "witness": some if variant else None,
        "witness_name": "Pat Lee, RN" if variant else "",
        "second_witness": some if variant == 7 else None,
        "second_witness_name": "Ana Ruiz, PharmD" if variant == 7 else "",
        "reason": ["", "broken vial\tat \u2028 the cart", "x" * 300, TRICKY * 3][variant % 4],
        "data": [
            {},
            {
                "supplier": "Acme",
                "invoice": "INV-7",
                "counted": "12.5",
                "nested": {"b": 1, "a": [1]},
            },
            {"form_106": {"value": "12.30", "filed": "2026-03-09"}, "ü": "ä"},
            TRICKY_DATA,
        ][variant % 4],
    }


def fast_row(content: dict, prev_hash: str = rules.GENESIS_HASH) -> tuple:
    """The content as a fast row, written from plain values."""
    return fastchain.split_row({k: v for k, v in content.items() if k != "v"}, "", prev_hash)


@pytest.mark.parametrize("variant", [0, 1, 2, 3, 4, 7, 8])
@pytest.mark.parametrize("entry_type", [kind.value for kind in d.EntryType])
def test_the_fast_path_gives_the_reference_bytes(entry_type, variant):
    content = content_of(entry_type, variant)
    row = fast_row(content)
    assert fastchain.canonical_bytes(row) == rules.canonical_bytes(content)
    assert fastchain.hashes([row]) == [rules.chain_hash(rules.GENESIS_HASH, content)]


def test_a_database_line_gives_the_reference_bytes_whatever_the_data_spacing():
    content = content_of("receipt", 1)
    row = fast_row(content)
    # the line as the database writes it: "data" in its own spacing and key order, twice
    spaced = (
        b'{"nested": {"a": [1], "b": 1}, "invoice": "INV-7", "supplier": "Acme", "counted": "12.5"}'
    )
    canonical_data = rules.canonical_bytes(content["data"])
    message = row[2].replace(canonical_data, spaced)
    assert message != row[2]
    line = b"\t".join([b"11", b"", message, spaced])
    assert fastchain.line_row(line) == (11, b"", row[2])
    assert fastchain.canonical_bytes(fastchain.line_row(line)) == rules.canonical_bytes(content)


def test_a_float_in_data_is_refused_by_the_fast_path_as_by_the_reference():
    content = content_of("receipt", 0)
    row = fast_row(content)
    data = b'{"counted": 12.5}'
    message = row[2].replace(b'"data":{}', b'"data":' + data)
    with pytest.raises(rules.CanonicalError):
        fastchain.line_row(b"\t".join([b"10", b"", message, data]))


def _checked_chain() -> list[list[bytes]]:
    """Three linked entries as the database sends them for verification: two without data
    (hashed there, verdict "="), one with data (its message and data, for Python to hash)."""
    fields, prev = [], rules.GENESIS_HASH
    for sequence, variant in ((1, 0), (2, 1), (3, 4)):
        content = content_of("draw", variant) | {"sequence": sequence}
        stored = rules.chain_hash(prev, content)
        if content["data"]:
            message = fast_row(content, prev)[2]
            data = rules.canonical_bytes(content["data"])
            head = [str(sequence).encode(), stored.encode(), prev.encode()]
            fields.append([*head, b"", message, data])
        else:
            fields.append([str(sequence).encode(), stored.encode(), prev.encode(), b"=", b"", b""])
        prev = stored
    return fields


def _check(fields) -> bool:
    lines = [b"\t".join(f) for f in fields]
    return fastchain.check_lines(lines, rules.GENESIS_HASH.encode(), None)[0]


def test_checked_lines_pass_intact_and_fail_on_every_kind_of_break():
    # given an intact chain as the database sends it
    assert _check(_checked_chain())
    # a "different" verdict from the database
    chain = _checked_chain()
    chain[0][3] = fastchain.HASHED_DIFFERENT
    assert not _check(chain)
    # an entry with data whose data was changed (links and stored hash untouched)
    chain = _checked_chain()
    chain[1][4] = chain[1][4].replace(chain[1][5], b'{"counted":"13"}')
    chain[1][5] = b'{"counted":"13"}'
    assert chain[1][4] != _checked_chain()[1][4]
    assert not _check(chain)
    # a previous hash that is not the hash before it
    chain = _checked_chain()
    chain[2][2] = chain[0][1]
    assert not _check(chain)
    # a gap in the sequence numbers
    chain = _checked_chain()
    chain[2][0] = b"4"
    assert not _check(chain)


@pytest.mark.parametrize("variant", [1, 2])
def test_the_hot_loop_serializes_stored_data_as_the_reference_does(variant):
    data = content_of("receipt", variant)["data"]
    hardest = {k: v for k, v in TRICKY_DATA.items() if k != "A"} | {"A": [1, -(2**63), 2**63]}
    for value in (data, hardest):
        spaced = json.dumps(value, indent=1, ensure_ascii=True).encode()
        assert fastchain._quick_data_bytes(spaced) == rules.canonical_bytes(value)


def _entry_with_data(data_text: bytes, data: dict) -> list[bytes]:
    content = content_of("adjustment", 0) | {"sequence": 1, "data": data}
    stored = rules.chain_hash(rules.GENESIS_HASH, content)
    message = fast_row(content)[2].replace(rules.canonical_bytes(data), data_text)
    head = [b"1", stored.encode(), rules.GENESIS_HASH.encode(), b""]
    return [*head, message, data_text]


def test_an_integer_beyond_64_bits_in_data_still_verifies():
    # given data whose integer orjson cannot read exactly (the hot loop then takes the reference)
    data = {"big": -(2**70), "counted": "12"}
    assert _check([_entry_with_data(b'{"big": -1180591620717411303424, "counted": "12"}', data)])


def test_a_float_in_data_stops_the_hot_loop_as_the_reference_would():
    line = _entry_with_data(b'{"counted": 12.5}', {"counted": "12.5"})
    with pytest.raises(rules.CanonicalError):
        _check([line])


def append_entries(clinic, nurse, nurse2, ketamine_lot, places, session, contents) -> int:
    """Append entries with these contents to the clinic's chain, straight into the table with
    real references and correct hashes; the new head's sequence."""
    safe, cart = places
    head = LedgerChainHead.objects.get(clinic=clinic)  # the lot's receipt is already there
    prev, first_id, sequence = head.head_hash, None, head.sequence
    for c in contents:
        sequence += 1
        c.update(
            sequence=sequence,
            clinic=clinic.pk,
            actor=nurse.pk,
            lot=ketamine_lot.pk,
            location=safe.pk if c["location"] else None,
            to_location=cart.pk if c["to_location"] else None,
            session=session.pk if c["session"] else None,
            patient=session.patient_id if c["patient"] else None,
            related_entry=first_id if c["related_entry"] else None,
            witness=nurse2.pk if c["witness"] else None,
            second_witness=nurse.pk if c["second_witness"] else None,
            occurred_at=c["occurred_at"].astimezone(dt.UTC),
        )
        entry = LedgerEntry(
            **{
                attr: c[name]
                for name, attr in HASHED_FIELDS
                if attr not in ("clinic_id", "actor_id", "lot_id")
            },
            clinic_id=clinic.pk,
            actor_id=nurse.pk,
            lot_id=ketamine_lot.pk,
            prev_hash=prev,
        )
        entry.hash = rules.chain_hash(prev, entry.hash_content())
        raw_insert(entry)
        prev, first_id = entry.hash, first_id or entry.pk
    LedgerChainHead.objects.filter(clinic=clinic).update(sequence=sequence, head_hash=prev)
    return sequence


@pytest.fixture
def every_type(clinic, nurse, nurse2, ketamine_lot, safe, cart, session, patient):
    """Entries of every type and variant, written into this database with real references."""
    contents = [
        content_of(kind.value, variant) for kind in d.EntryType for variant in (0, 1, 2, 3, 4, 7, 8)
    ]
    return append_entries(clinic, nurse, nurse2, ketamine_lot, (safe, cart), session, contents)


@pytest.mark.django_db
def test_every_entry_type_read_from_the_database_gives_the_reference_bytes(
    every_type, clinic, monkeypatch
):
    # every row, read both ways from this database
    fast = [row for batch in fast_rows(clinic.pk) for row in batch]
    reference = list(chain_rows(clinic.pk))
    assert len(fast) == len(reference) == every_type >= 66
    for row, (content, stored_hash, prev_hash) in zip(fast, reference, strict=True):
        assert fastchain.canonical_bytes(row) == rules.canonical_bytes(content)
        assert fastchain.hashes([row]) == [stored_hash]
        assert row[2][:64] == prev_hash.encode()

    # and the fast path alone decides the chain is intact (no fall back to the reference)
    def no_reference(*args, **kwargs):
        raise AssertionError("fell back to the reference verifier")

    monkeypatch.setattr(verification.rules, "verify_chain", no_reference)
    verdict = verification.verify_clinic_chain(clinic.pk)
    assert verdict.valid
    assert verdict.entries == every_type


@pytest.mark.django_db
def test_rows_of_a_ledger_written_by_the_services_give_the_reference_bytes(ledger, clinic):  # noqa: F811
    fast = [row for batch in fast_rows(clinic.pk) for row in batch]
    reference = list(chain_rows(clinic.pk))
    assert len(fast) == len(reference) == 8
    for row, (content, stored_hash, _prev) in zip(fast, reference, strict=True):
        assert fastchain.canonical_bytes(row) == rules.canonical_bytes(content)
        assert fastchain.hashes([row]) == [stored_hash]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("change", "first_bad"),
    [
        ("DELETE FROM {table} WHERE sequence = 3", 4),  # the first entry of a stretch
        ("DELETE FROM {table} WHERE sequence IN (3, 4, 5)", 6),  # a whole stretch
        ("UPDATE {table} SET reason = 'edited' WHERE sequence = 7", 7),  # inside one
    ],
    ids=["first-of-stretch-deleted", "stretch-deleted", "entry-changed"],
)
def test_a_long_chain_checked_in_stretches_over_two_connections_gives_the_same_verdicts(
    ledger,  # noqa: F811
    clinic,
    monkeypatch,
    change,
    first_bad,
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the chain is read over two connections on PostgreSQL only")
    # a "long" chain: eight committed entries, in stretches of three, two read at once
    monkeypatch.setattr(verification, "PARALLEL_MIN_ENTRIES", 4)
    monkeypatch.setattr(verification, "CHUNK", 3)
    head = LedgerChainHead.objects.get(clinic=clinic)
    assert verification._ranges(0, rules.HeadMark(head.sequence, head.head_hash)) == [
        (0, 2),
        (3, 5),
        (6, verification.LAST),
    ]
    verdict = verification.verify_clinic_chain(clinic.pk)
    assert verdict.valid and verdict.entries == 8
    # each stretch alone stays intact where only the joins between stretches break; the
    # change goes past the foreign keys (later entries refer to earlier ones)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(change.format(table=LedgerEntry._meta.db_table))
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
    verdict = verification.verify_clinic_chain(clinic.pk)
    assert not verdict.valid and verdict.first_bad.sequence == first_bad


@pytest.mark.django_db
def test_the_database_neither_matches_nor_links_an_entry_whose_hash_is_null(ledger, clinic):  # noqa: F811
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the database checks a stretch itself on PostgreSQL only")
    table = LedgerEntry._meta.db_table
    with connection.cursor() as cursor:  # someone able to change the table itself
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN hash DROP NOT NULL")
        cursor.execute(f"UPDATE {table} SET quantity = 0.001, hash = NULL WHERE sequence = 5")
    assert verification._check_range_in_database(clinic.pk, 0, verification.LAST, "") is None
    verdict = verification.verify_clinic_chain(clinic.pk)
    assert not verdict.valid and verdict.first_bad.sequence == 5


@pytest.mark.django_db
def test_the_same_instant_moved_before_the_common_era_is_not_matched(ledger, clinic):  # noqa: F811
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the database checks a stretch itself on PostgreSQL only")
    table = LedgerEntry._meta.db_table
    with connection.cursor() as cursor:  # to_char's YYYY writes 2026 BC as 2026
        cursor.execute(
            f"UPDATE {table} SET occurred_at = occurred_at - interval '4051 years' "
            "WHERE sequence = 5"
        )
        cursor.execute(f"SELECT to_char(occurred_at, 'YYYY BC') FROM {table} WHERE sequence = 5")
        assert cursor.fetchone()[0].endswith(" BC")
    assert verification._check_range_in_database(clinic.pk, 0, verification.LAST, "") is None
    # and the reference, which Python cannot read such an instant for, names the entry
    verdict = verification.verify_clinic_chain(clinic.pk)
    assert not verdict.valid and verdict.first_bad.sequence == 5


@pytest.mark.django_db
def test_the_fast_path_stops_at_a_tampered_entry_and_the_report_names_its_sequence(
    every_type, clinic
):
    from django.db import connection

    table = LedgerEntry._meta.db_table
    tampered = every_type - 20
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET actor_name = %s WHERE sequence = %s", [TRICKY + "!", tampered]
        )
    # the fast path alone: not intact, and it checked exactly the entries before the edit
    found = verification._check_range(clinic.pk, 0, verification.LAST, None)
    assert not found.ok
    assert found.count == tampered - 1
    # the verdict names the edited entry
    verdict = verification.verify_clinic_chain(clinic.pk)
    assert not verdict.valid
    assert verdict.first_bad.sequence == tampered
    assert verdict.first_bad.kind == rules.BreakKind.CHANGED


def test_null_text_values_give_the_reference_bytes():
    content = content_of("count", 3)
    content.update(reason=None, witness_name=None, actor_name=None, data={})
    row = fast_row(content)
    assert fastchain.canonical_bytes(row) == rules.canonical_bytes(content)
    assert b'"reason":null' in fastchain.canonical_bytes(row)


@pytest.mark.django_db
def test_postgresql_hashes_each_entry_without_data_and_says_which_one_was_changed(
    every_type, clinic
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the database hashes entries on PostgreSQL only")

    def verdicts():
        lines = [line for batch in verification.checked_line_batches(clinic.pk) for line in batch]
        return {int(x.split(b"\t")[0]): x.split(b"\t")[3] for x in lines}

    without_data = set(
        LedgerEntry.objects.filter(clinic=clinic, data={}).values_list("sequence", flat=True)
    )
    # entries without data (the hardest text among them) are hashed by the database and match;
    # entries with data come with their message, for Python to hash
    found = verdicts()
    assert len(without_data) >= 20 and len(found) - len(without_data) >= 40
    assert {seq for seq, verdict in found.items() if verdict == b"="} == without_data
    assert {seq for seq, verdict in found.items() if verdict == b""} == set(found) - without_data
    # a reason edited in the database: that entry's verdict, and only its, is "different"
    edited = max(without_data)
    table = LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = 'edited' WHERE sequence = %s", [edited])
    found = verdicts()
    assert [seq for seq, verdict in found.items() if verdict == b"!"] == [edited]
    assert not verification.verify_clinic_chain(clinic.pk).valid


@pytest.mark.django_db
def test_postgresql_checks_a_whole_stretch_itself_and_hands_over_any_break(ledger, clinic):  # noqa: F811
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the database checks a stretch itself on PostgreSQL only")
    head = LedgerChainHead.objects.get(clinic=clinic)
    stored = list(chain_rows(clinic.pk))
    with_data = [content for content, _h, _p in stored if content["data"]]
    assert with_data  # entries with data are checked by the database too
    # an intact chain: the database's verdict alone, with the ends the links are joined by
    found = verification._check_range_in_database(clinic.pk, 0, verification.LAST, head.head_hash)
    assert found is not None
    assert (found.count, found.first_sequence, found.last_sequence) == (8, 1, 8)
    assert found.first_prev == rules.GENESIS_HASH and found.last_hash == head.head_hash
    assert found.saved_seen
    table = LedgerEntry._meta.db_table
    # a changed entry, then a removed one: the database hands the stretch over (None)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = 'edited' WHERE sequence = 5")
    assert verification._check_range_in_database(clinic.pk, 0, verification.LAST, "") is None
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE sequence = 5")
    assert verification._check_range_in_database(clinic.pk, 0, verification.LAST, "") is None
    assert not verification.verify_clinic_chain(clinic.pk).valid


@pytest.mark.django_db
def test_the_database_checks_every_entry_type_with_nested_data_rebuilt_in_python(
    every_type, clinic, monkeypatch
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the database checks a stretch itself on PostgreSQL only")
    # this ledger is mostly odd data; a real one has few entries with nested data
    monkeypatch.setattr(verification, "RECHECK_SHARE", 1.0)
    head = LedgerChainHead.objects.get(clinic=clinic)
    found = verification._check_range_in_database(clinic.pk, 0, verification.LAST, "")
    assert found is not None and found.count == every_type
    assert found.last_hash == head.head_hash
    # an entry with nested data (rebuilt in Python), changed in the database, is caught
    nested = next(
        e
        for e in LedgerEntry.objects.filter(clinic=clinic)
        if any(isinstance(v, dict | list) for v in e.data.values())
    )
    table = LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {table} SET data = data || \'{{"extra": "1"}}\'::jsonb WHERE id = %s',
            [nested.pk],
        )
    assert verification._check_range_in_database(clinic.pk, 0, verification.LAST, "") is None
    assert verification.verify_clinic_chain(clinic.pk).first_bad.sequence == nested.sequence


@pytest.mark.django_db
@pytest.mark.parametrize("as_sent", [True, False], ids=["textsend", "convert_to"])
def test_the_database_matches_every_flat_entry_with_each_column_null_or_set(
    every_type, clinic, as_sent
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the database checks a stretch itself on PostgreSQL only")
    nested = {
        e.sequence
        for e in LedgerEntry.objects.filter(clinic=clinic)
        if any(isinstance(v, dict | list) for v in e.data.values())
    }
    nullable = [f.column for f in LedgerEntry._meta.concrete_fields if f.null]
    kinds = LedgerEntry.objects.filter(clinic=clinic)
    for column in nullable:  # the ledger holds each nullable column both empty and set
        assert kinds.filter(**{f"{column}__isnull": True}).exists(), column
        assert kinds.filter(**{f"{column}__isnull": False}).exists(), column
    sql = verification._verdict_sql(clinic.pk, as_sent=as_sent)
    with connection.cursor() as cursor:
        cursor.execute(sql, ["", clinic.pk, 0, verification.LAST])
        count, linked, _seen, unmatched = cursor.fetchone()
        assert (count, linked) == (every_type, True)
        # only entries with nested data may be left for Python to rebuild
        assert set(unmatched or ()) <= nested
        # a nullable column emptied, or filled, changes the message the database hashes
        table = LedgerEntry._meta.db_table
        set_one = kinds.filter(location_id__isnull=False).exclude(sequence__in=nested).first()
        empty_one = kinds.filter(session_id__isnull=True).exclude(sequence__in=nested).first()
        some_session = kinds.filter(session_id__isnull=False).first().session_id
        cursor.execute(f"UPDATE {table} SET location_id = NULL WHERE id = %s", [set_one.pk])
        cursor.execute(
            f"UPDATE {table} SET session_id = %s WHERE id = %s", [some_session, empty_one.pk]
        )
        cursor.execute(sql, ["", clinic.pk, 0, verification.LAST])
        _count, _linked, _seen, unmatched = cursor.fetchone()
    assert (
        {set_one.sequence, empty_one.sequence}
        <= set(unmatched)
        <= (nested | {set_one.sequence, empty_one.sequence})
    )


# Data whose jsonb text, with the spaces after colons and before quotes taken out, is not its
# canonical JSON: spaces inside strings, keys that jsonb orders shortest first, nesting.
AWKWARD_DATA = [
    {"k": 'x": y, "z'},
    {"k": "ends with a comma and a space, "},
    {"ok": "1", "expected": "2"},
    {"b": [1, 2], "a": {"y": ", ", "x": ": "}},
    {"method": "sink"},
]


@pytest.mark.django_db
def test_the_database_hashes_awkward_data_exactly_and_catches_a_change_that_keeps_the_text(
    clinic, nurse, nurse2, ketamine_lot, safe, cart, session, patient
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the database checks a stretch itself on PostgreSQL only")
    contents = [content_of("waste", 0) | {"data": data} for data in AWKWARD_DATA]
    contents.append(content_of("waste", 0) | {"data": {"k": 'x":y'}})
    last = append_entries(clinic, nurse, nurse2, ketamine_lot, (safe, cart), session, contents)
    sql = verification._verdict_sql(clinic.pk, as_sent=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, ["", clinic.pk, 0, verification.LAST])
        count, linked, _seen, unmatched = cursor.fetchone()
        assert (count, linked) == (last, True)
        # every entry but the nested array (jsonb writes "[1, 2]") is matched by the database
        assert unmatched == [last - 2]
        # 'x":y' made 'x": y': the same text once the spaces are taken out, a different value
        table = LedgerEntry._meta.db_table
        cursor.execute(
            f"""UPDATE {table} SET data = '{{"k": "x\\": y"}}'::jsonb WHERE sequence = %s""",
            [last],
        )
        cursor.execute(sql, ["", clinic.pk, 0, verification.LAST])
        _count, _linked, _seen, unmatched = cursor.fetchone()
    assert unmatched == [last - 2, last]
    verdict = verification.verify_clinic_chain(clinic.pk)
    assert not verdict.valid and verdict.first_bad.sequence == last
