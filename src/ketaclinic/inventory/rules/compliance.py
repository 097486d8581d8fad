"""Diversion statistics and DEA deadline arithmetic."""

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ketaclinic.inventory.definitions import (
    DIVERSION_MIN_PEERS,
    FORM_106_FILING_DAYS,
    LOSS_NOTICE_BUSINESS_DAYS,
    REPEATED_DISCREPANCY_COUNT,
    REPEATED_DISCREPANCY_WINDOW_DAYS,
    ROBUST_Z_CONSTANT,
    ROBUST_Z_THRESHOLD,
)

# ---------------------------------------------------------------------------
# Diversion statistics
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outlier:
    """One staff member whose value stands out from peers."""

    key: object
    value: Decimal
    z: Decimal


def robust_z_scores(values: Mapping[object, Decimal]) -> dict[object, Decimal]:
    """Modified z-score of each value: 0.6745 * (x - median) / MAD (Iglewicz & Hoaglin).

    When more than half the values are equal the MAD is 0; then the mean absolute
    deviation scaled by 1.2533 (sqrt(pi/2), its ratio to the SD for normal data)
    stands in, so one clear outlier among identical peers is still scored.
    """
    if not values:
        return {}
    data = [Decimal(v) for v in values.values()]
    median = Decimal(statistics.median(data))
    deviations = [abs(v - median) for v in data]
    mad = Decimal(statistics.median(deviations))
    if mad != 0:
        return {k: ROBUST_Z_CONSTANT.value * (Decimal(v) - median) / mad for k, v in values.items()}
    mean_ad = sum(deviations, Decimal(0)) / len(deviations)
    if mean_ad == 0:
        return {k: Decimal(0) for k in values}
    scale = Decimal("1.253314") * mean_ad
    # Scaled like the MAD branch: 0.6745 * (x - m) / MAD == (x - m) / (1.4826 * MAD).
    return {k: (Decimal(v) - median) / scale for k, v in values.items()}


def flag_high_outliers(
    values: Mapping[object, Decimal],
    *,
    threshold: Decimal = ROBUST_Z_THRESHOLD.value,
    min_peers: int = DIVERSION_MIN_PEERS.value,
) -> list[Outlier]:
    """Staff whose value is above peers by more than `threshold` robust z (high side only).

    Only the high side is a diversion signal (wasting more than peers); with fewer than
    `min_peers` staff nobody is flagged because there is no meaningful peer group.
    """
    if len(values) < min_peers:
        return []
    scores = robust_z_scores(values)
    flagged = [
        Outlier(key=k, value=Decimal(values[k]), z=z) for k, z in scores.items() if z > threshold
    ]
    return sorted(flagged, key=lambda o: o.z, reverse=True)


def outside_hours(
    local_time: dt.datetime, opens: dt.time, closes: dt.time, weekdays: Iterable[int]
) -> bool:
    """True when a clinic-local moment is outside opening hours (weekdays: Monday=0)."""
    if local_time.weekday() not in set(weekdays):
        return True
    return not (opens <= local_time.time() < closes)


def repeated_discrepancies(
    dates: Iterable[dt.date],
    *,
    at_least: int = REPEATED_DISCREPANCY_COUNT.value,
    within_days: int = REPEATED_DISCREPANCY_WINDOW_DAYS.value,
) -> bool:
    """True when `at_least` discrepancies fall within any window of `within_days` days."""
    ordered = sorted(dates)
    for i in range(len(ordered) - at_least + 1):
        if (ordered[i + at_least - 1] - ordered[i]).days < within_days:
            return True
    return False


# ---------------------------------------------------------------------------
# DEA deadlines
# ---------------------------------------------------------------------------


def is_business_day(day: dt.date, holidays: Iterable[dt.date] = ()) -> bool:
    """Monday to Friday and not a holiday."""
    return day.weekday() < 5 and day not in set(holidays)


def add_business_days(start: dt.date, days: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """The date `days` business days after `start` (start itself does not count)."""
    holiday_set = set(holidays)
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day, holiday_set):
            remaining -= 1
    return day


@dataclass(frozen=True)
class LossDeadlines:
    """Deadlines after discovering a theft or significant loss (21 CFR 1301.76(b))."""

    discovered_on: dt.date
    notice_due: dt.date
    form_106_due: dt.date
    notice_source: str = LOSS_NOTICE_BUSINESS_DAYS.source
    form_106_source: str = FORM_106_FILING_DAYS.source


def loss_deadlines(discovered_on: dt.date, holidays: Iterable[dt.date] = ()) -> LossDeadlines:
    """Written notice within 1 business day; Form 106 within 45 (calendar) days."""
    return LossDeadlines(
        discovered_on=discovered_on,
        notice_due=add_business_days(discovered_on, LOSS_NOTICE_BUSINESS_DAYS.value, holidays),
        form_106_due=discovered_on + dt.timedelta(days=FORM_106_FILING_DAYS.value),
    )


def deadline_state(due: dt.date, today: dt.date, done_on: dt.date | None = None) -> str:
    """ "met", "late" (done after due), "open" or "overdue"."""
    if done_on is not None:
        return "met" if done_on <= due else "late"
    return "open" if today <= due else "overdue"


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th given weekday of a month (n=-1: the last one)."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    # 5 U.S.C. 6103(b) and E.O. 11582: Saturday holidays are observed Friday, Sunday ones Monday.
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


US_FEDERAL_HOLIDAYS_SOURCE = "5 U.S.C. 6103 (legal public holidays), observed per 6103(b)"


def us_federal_holidays(year: int) -> set[dt.date]:
    """Observed US federal holidays of a year (days that are not federal business days)."""
    mon, thu = 0, 3
    days = {
        _observed(dt.date(year, 1, 1)),
        _nth_weekday(year, 1, mon, 3),  # Birthday of Martin Luther King, Jr.
        _nth_weekday(year, 2, mon, 3),  # Washington's Birthday
        _nth_weekday(year, 5, mon, -1),  # Memorial Day
        _observed(dt.date(year, 7, 4)),
        _nth_weekday(year, 9, mon, 1),  # Labor Day
        _nth_weekday(year, 10, mon, 2),  # Columbus Day
        _observed(dt.date(year, 11, 11)),
        _nth_weekday(year, 11, thu, 4),  # Thanksgiving Day
        _observed(dt.date(year, 12, 25)),
    }
    if year >= 2021:  # Juneteenth National Independence Day Act, 2021
        days.add(_observed(dt.date(year, 6, 19)))
    return days
