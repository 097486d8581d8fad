"""Progress of a seeding run: patients and rows so far, rows per second and time left."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

EVERY_S = 2.0  # report at most this often: reporting costs nothing measurable then


@dataclass(frozen=True)
class Progress:
    patients: int
    total: int
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        """At the rate so far; None before the first patient is done."""
        if self.patients <= 0 or self.seconds <= 0:
            return None
        return self.seconds * (self.total - self.patients) / self.patients

    def line(self) -> str:
        left = self.seconds_left
        share = 100 * self.patients / self.total if self.total else 100.0
        return (
            f"{self.patients:,}/{self.total:,} patients ({share:.0f}%), {self.rows:,} rows, "
            f"{self.rows_per_second:,.0f} rows/s, "
            f"{'time left unknown' if left is None else duration(left) + ' left'}"
        )


def duration(seconds: float) -> str:
    """`42 s`, `3 min 05 s`, `1 h 02 min`."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Meter:
    """Adds up what the generator produced and calls `report` at most every `every` seconds.

    `add` is cheap (an addition and a clock read): the generator calls it every few hundred
    patients, so the report's own cost never shows in the seeding rate.
    """

    def __init__(
        self,
        total: int,
        report: Callable[[Progress], None] | None,
        every: float = EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.total, self.report, self.every, self.clock = total, report, every, clock
        self.patients = self.rows = 0
        self.started = self.last = clock()

    def add(self, patients: int, rows: int) -> None:
        self.patients += patients
        self.rows += rows
        if self.report is None:
            return
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self.report(self.progress(now))

    def progress(self, now: float | None = None) -> Progress:
        now = self.clock() if now is None else now
        return Progress(self.patients, self.total, self.rows, now - self.started)
