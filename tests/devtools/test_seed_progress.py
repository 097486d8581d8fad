"""While seeding, the generator tells how far it is: rows per second and time left, to stderr."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from ketaclinic_devtools.registry import progress
from ketaclinic_devtools.registry.progress import Meter, Progress
from ketaclinic_devtools.registry.seed import seed_registry


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_progress_line_gives_rows_per_second_and_time_left():
    # 2,500 of 10,000 patients and 200,000 rows after 20 s: 10,000 rows/s, 60 s to go
    line = Progress(patients=2_500, total=10_000, rows=200_000, seconds=20.0).line()
    assert line == "2,500/10,000 patients (25%), 200,000 rows, 10,000 rows/s, 1 min 00 s left"


def test_before_the_first_patient_the_time_left_is_unknown():
    assert Progress(0, 10, 0, 0.5).line().endswith("0 rows/s, time left unknown")


def test_the_meter_reports_at_most_once_per_interval():
    # given a meter that reports every 2 seconds
    clock, reports = Clock(), []
    meter = Meter(1_000, reports.append, every=2.0, clock=clock)
    # when the generator counts patients several times within 2 seconds
    for _ in range(5):
        clock.now += 0.25
        meter.add(100, 7_000)
    # then nothing is reported yet; the first count after 2 seconds is
    assert reports == []
    clock.now += 0.75
    meter.add(100, 7_000)
    assert reports == [Progress(600, 1_000, 42_000, 2.0)]


@pytest.mark.django_db
def test_seeding_reports_progress_until_every_patient_is_done():
    reports = []
    seed_registry(
        patients=250,
        seed=5,
        as_of=date(2025, 6, 30),
        password="pw-for-tests",
        progress=reports.append,
        progress_every=0,
    )
    done = [r.patients for r in reports]
    assert done == sorted(done)
    assert done[-1] == 250
    assert reports[-1].rows > 250 * 10


@pytest.mark.django_db
def test_the_command_writes_progress_lines_to_stderr(monkeypatch):
    monkeypatch.setattr(progress, "EVERY_S", 0)
    out, err = StringIO(), StringIO()
    call_command("seed_registry", patients=120, as_of=date(2025, 6, 30), stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[-1].startswith("seeding: 120/120 patients (100%), ")
    assert " rows/s, " in lines[-1]
    assert lines[-1].endswith("0 s left")
    assert "rows/s" in out.getvalue()
