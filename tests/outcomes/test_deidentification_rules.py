"""De-identification primitives: keyed pseudonyms, per-patient date shifts, top-coded ages."""

from datetime import UTC, date, datetime

import pytest

from ketaclinic.outcomes.rules import (
    DROP,
    KEEP,
    PSEUDONYM,
    SHIFT,
    Column,
    age_band,
    age_on,
    date_offset_days,
    deidentified_age,
    deidentify_row,
    pseudonym,
    shift,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
PATIENT = "7b0e6a52-3c1f-4d43-9a77-3b2f6a1d9c10"


def test_a_pseudonym_is_stable_for_a_key_and_differs_between_keys():
    assert pseudonym(KEY, "patient", PATIENT) == pseudonym(KEY, "patient", PATIENT)
    assert pseudonym(KEY, "patient", PATIENT) != pseudonym(OTHER_KEY, "patient", PATIENT)


def test_a_pseudonym_never_contains_the_original_id():
    token = pseudonym(KEY, "patient", PATIENT)
    assert len(token) == 32
    assert PATIENT.replace("-", "")[:8] not in token


def test_the_same_id_gets_different_pseudonyms_as_different_kinds_of_thing():
    assert pseudonym(KEY, "patient", PATIENT) != pseudonym(KEY, "course", PATIENT)


def test_a_short_key_is_refused():
    with pytest.raises(ValueError):
        pseudonym(b"short", "patient", PATIENT)


def test_a_date_shift_is_never_zero_and_never_beyond_the_limit():
    offsets = {date_offset_days(KEY, f"patient-{i}", max_days=30) for i in range(2000)}
    assert 0 not in offsets
    assert min(offsets) == -30 and max(offsets) == 30


def test_a_patients_date_shift_is_the_same_in_every_export_with_the_same_key():
    assert date_offset_days(KEY, PATIENT) == date_offset_days(KEY, PATIENT)


def test_shifting_preserves_the_interval_between_a_patients_events():
    days = date_offset_days(KEY, PATIENT)
    first = datetime(2025, 1, 6, 9, 30, tzinfo=UTC)
    later = datetime(2025, 2, 17, 14, 5, tzinfo=UTC)
    assert shift(later, days) - shift(first, days) == later - first
    assert shift(date(2025, 1, 6), days) != date(2025, 1, 6)
    assert shift(None, days) is None


def test_ages_over_89_are_reported_as_90_plus():
    assert deidentified_age(89) == "89"
    assert deidentified_age(90) == "90+"
    assert deidentified_age(104) == "90+"


def test_age_is_counted_in_completed_years():
    assert age_on(date(1980, 6, 15), date(2025, 6, 14)) == 44
    assert age_on(date(1980, 6, 15), date(2025, 6, 15)) == 45


def test_age_bands_end_with_the_safe_harbor_top_code():
    assert [age_band(a) for a in (17, 18, 24, 25, 64, 65, 89, 90, None)] == [
        "under 18",
        "18-24",
        "18-24",
        "25-34",
        "55-64",
        "65-74",
        "75-89",
        "90+",
        "unknown",
    ]


COLUMNS = (
    Column("patient", "id", PSEUDONYM, "patient", kind="patient"),
    Column("given_name", "given_name", DROP, "removed"),
    Column("seen_on", "seen_on", SHIFT, "shifted", dtype="date"),
    Column("sex", "sex", KEEP, "sex"),
)


def test_a_row_keeps_only_what_its_spec_allows():
    # given a source row that still holds a name and a phone number
    row = {
        "id": PATIENT,
        "given_name": "Jordan",
        "phone": "(555) 200-1000",
        "seen_on": date(2025, 1, 6),
        "sex": "female",
    }
    # when de-identified
    out = deidentify_row(row, COLUMNS, key=KEY, shift_days=-12)
    # then the name and the phone never reach the output, the id is a pseudonym, the date moved
    assert out == (pseudonym(KEY, "patient", PATIENT), date(2024, 12, 25), "female")
    assert "Jordan" not in repr(out) and "555" not in repr(out)
