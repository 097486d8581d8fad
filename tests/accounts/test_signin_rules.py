"""Pure sign-in rules: who needs a second factor, how recent a check must be, token lifetimes."""

from datetime import UTC, datetime, timedelta

import pytest

from ketaclinic.accounts import rules

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("role", "required", "for_all", "expected"),
    [
        ("prescriber", True, False, True),
        ("clinic_admin", True, False, True),
        ("auditor", True, False, True),
        ("nurse", True, False, False),
        ("front_desk", True, False, False),
        ("nurse", True, True, True),
        ("front_desk", False, True, True),
        ("prescriber", False, False, False),
        ("", True, True, False),
    ],
)
def test_who_needs_a_second_factor(role, required, for_all, expected):
    assert rules.mfa_required(role, required=required, required_for_all=for_all) is expected


def test_a_check_counts_as_recent_for_15_minutes():
    assert rules.recently_verified(NOON, NOON + timedelta(minutes=15))
    assert not rules.recently_verified(NOON, NOON + timedelta(minutes=15, seconds=1))
    assert not rules.recently_verified(None, NOON)
    # a check "in the future" (a clock set back) does not count
    assert not rules.recently_verified(NOON + timedelta(minutes=1), NOON)


def test_token_lifetimes_default_to_the_maximum_and_may_be_shorter():
    assert rules.token_expiry(NOON, max_days=90) == NOON + timedelta(days=90)
    assert rules.token_expiry(NOON, max_days=90, days=7) == NOON + timedelta(days=7)
    for days in (0, 91):
        with pytest.raises(ValueError, match="between 1 and 90"):
            rules.token_expiry(NOON, max_days=90, days=days)


def test_a_read_only_token_may_only_get_and_head():
    assert rules.may_use_method("GET", read_only=True)
    assert rules.may_use_method("head", read_only=True)
    for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        assert not rules.may_use_method(method, read_only=True)
        assert rules.may_use_method(method, read_only=False)


def test_codes_are_read_the_way_people_type_them():
    assert rules.is_totp_code(" 123 456 ")
    assert not rules.is_totp_code("12345")
    assert not rules.is_totp_code("abcd-efgh")
    assert rules.normalize_code("ABCD-EFGH ") == "abcdefgh"
    assert rules.format_recovery_code("abcdefgh") == "abcd-efgh"
