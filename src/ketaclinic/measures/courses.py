"""When the patient's course started, as told by the app that owns courses.

Which score is a patient's baseline depends on when the course started: the active course,
else the latest one (a course ended keeps its own baseline, as the outcome dashboard counts
it). Courses belong to the treatments app, above measures: it registers its reader here in its
AppConfig.ready(), so measures never imports it. Without a reader there is no course.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

CourseStartReader = Callable[[Any], date | None]


def _no_course(patient) -> date | None:
    return None


_reader: CourseStartReader = _no_course


def register_course_start(reader: CourseStartReader) -> None:
    """Called once by the treatments app: reader(patient) -> start of the current course."""
    global _reader
    _reader = reader


def course_start(patient) -> date | None:
    """Start of the patient's current course; None when there is none."""
    return _reader(patient)
