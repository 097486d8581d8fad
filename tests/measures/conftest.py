"""Helpers for the measures tests: answer sets and a quick way to record a history."""

from datetime import timedelta

import pytest
from django.utils import timezone


def phq9(*, each=1, item9=0, **items):
    """PHQ-9 answers with every scored item = `each`, item 9 = `item9`, overrides as i3=2."""
    answers = {str(n): each for n in range(1, 10)}
    answers["9"] = item9
    answers.update({k.removeprefix("i"): v for k, v in items.items()})
    return answers


def phq9_total(total, item9=0):
    """PHQ-9 answers adding up to `total` (item 9 fixed)."""
    answers = {str(n): 0 for n in range(1, 10)}
    answers["9"] = item9
    remaining = total - item9
    for n in range(1, 9):
        answers[str(n)] = min(3, remaining)
        remaining -= answers[str(n)]
    assert remaining == 0
    return answers


@pytest.fixture
def history(nurse):
    """history(patient, [20, 14, 9], instrument="phq9") records weekly scores, oldest first."""
    from ketaclinic.measures.services import record_measure

    def _history(patient, totals, instrument="phq9", start=None, actor=None):
        start = start or timezone.now() - timedelta(weeks=len(totals))
        saved = []
        for week, total in enumerate(totals):
            response, _ = record_measure(
                actor=actor or nurse,
                patient=patient,
                instrument=instrument,
                answers=phq9_total(total) if instrument == "phq9" else total,
                administered_at=start + timedelta(weeks=week),
            )
            saved.append(response)
        return saved

    return _history


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache: start every test with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
