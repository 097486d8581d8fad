"""Dates and times as printed documents show them: the clinic's local time, never ISO strings.

A moment reads "2 Mar 2026, 14:05 EST" (day, month, year, 24-hour time and the clinic's zone
abbreviation, so a reader knows which clock was meant). A calendar date has no zone and keeps
the year-month-day form the pages of the app use ("2026-03-02").
"""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def local_moment(moment: datetime.datetime, tz: ZoneInfo) -> str:
    """'2 Mar 2026, 14:05 EST': the moment in the clinic's time zone."""
    local = moment.astimezone(tz)
    return f"{local.day} {local:%b %Y}, {local:%H:%M %Z}"


def document_date(day: datetime.date) -> str:
    """A calendar date as the app shows it everywhere ('2026-03-02')."""
    return day.isoformat()


def document_value(value, tz: ZoneInfo) -> str:
    """Any value of a document: moments in clinic time, dates as dates, the rest as text.

    Also reads the ISO strings of JSON-shaped data (a date, or a moment with its offset)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return local_moment(value, tz)
    if isinstance(value, datetime.date):
        return document_date(value)
    text = str(value)
    if _ISO_DATE.match(text):
        return text
    if len(text) > 15 and text[4:5] == "-" and text[10:11] in ("T", " "):
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            return text
        if moment.tzinfo is not None:
            return local_moment(moment, tz)
    return text
