"""The verification fast path builds exactly the reference canonical bytes, every entry type."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from ketaclinic.inventory import definitions as d
from ketaclinic.inventory import rules
from ketaclinic.inventory.rules.fastchain import ROW_FIELDS, FastHasher
from ketaclinic.inventory.verification import chain_rows, fast_rows
from tests.inventory.test_ledger_tamper import ledger  # noqa: F401 (the eight-entry fixture)

UUIDS = {
    "id",
    "clinic",
    "actor",
    "lot",
    "location",
    "to_location",
    "session",
    "patient",
    "related_entry",
    "witness",
    "second_witness",
}
T = dt.datetime(2026, 3, 8, 7, 59, 59, 120, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def content_of(entry_type: str, variant: int) -> dict:
    """A content dict like the ledger hashes, with the values each entry type carries."""
    some = uuid.UUID(int=variant + 1)
    return {
        "v": 1,
        "id": uuid.uuid4(),
        "clinic": uuid.uuid4(),
        "sequence": 10 + variant,
        "entry_type": entry_type,
        "occurred_at": T + dt.timedelta(microseconds=variant),
        "actor": uuid.uuid4(),
        "actor_name": ["Sam Jones, RN", 'Zoë "Z" Ødegård\\MD', "李 医生\n"][variant % 3],
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
        "second_witness": None,
        "second_witness_name": "",
        "reason": ["", "broken vial\tat \u2028 the cart", "x" * 300][variant % 3],
        "data": [
            {},
            {
                "supplier": "Acme",
                "invoice": "INV-7",
                "counted": "12.5",
                "nested": {"b": 1, "a": [1]},
            },
            {"form_106": {"value": "12.30", "filed": "2026-03-09"}, "ü": "ä"},
        ][variant % 3],
    }


def fast_row(content: dict, prev_hash: str) -> tuple:
    """The content as the database hands it to the fast path (see rules.fastchain)."""

    def value(name):
        item = content[name]
        if name in UUIDS:
            return "null" if item is None else f'"{item}"'
        if name in ("quantity", "stock_delta"):
            return rules.canonical_decimal(item)
        if name == "occurred_at":
            return rules.canonical_datetime(item)
        return item

    return (content["sequence"], "", prev_hash, *(value(name) for name in ROW_FIELDS))


@pytest.mark.parametrize("variant", [0, 1, 2, 3])
@pytest.mark.parametrize("entry_type", [kind.value for kind in d.EntryType])
def test_the_fast_path_gives_the_reference_bytes(entry_type, variant):
    content = content_of(entry_type, variant)
    hasher = FastHasher()
    row = fast_row(content, rules.GENESIS_HASH)
    assert hasher.canonical_bytes(row) == rules.canonical_bytes(content)
    assert hasher.hashes([row]) == [rules.chain_hash(rules.GENESIS_HASH, content)]


def test_json_data_text_in_any_spacing_gives_the_same_bytes():
    content = content_of("receipt", 1)
    row = list(fast_row(content, rules.GENESIS_HASH))
    data_at = 3 + ROW_FIELDS.index("data")
    row[data_at] = (
        '{"nested": {"a": [1], "b": 1}, "invoice": "INV-7", "supplier": "Acme", "counted": "12.5"}'
    )
    assert FastHasher().canonical_bytes(tuple(row)) == rules.canonical_bytes(content)


@pytest.mark.django_db
def test_rows_read_from_the_database_give_the_reference_bytes(ledger, clinic):  # noqa: F811
    # every row of a ledger written by the services, read both ways from this database
    hasher = FastHasher()
    fast = [row for batch in fast_rows(clinic.pk) for row in batch]
    reference = list(chain_rows(clinic.pk))
    assert len(fast) == len(reference) == 8
    for row, (content, stored_hash, prev_hash) in zip(fast, reference, strict=True):
        assert hasher.canonical_bytes(row) == rules.canonical_bytes(content)
        assert hasher.hashes([row]) == [stored_hash]
        assert row[2] == prev_hash
