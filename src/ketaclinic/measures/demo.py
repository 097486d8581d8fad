"""Demo scores: months of PHQ-9/GAD-7/QIDS/MADRS trajectories, alerts, schedules, one link and
one referral score."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from .courses import course_start
from .instruments import QIDS_SR16
from .models import Frequency
from .services import (
    acknowledge_alert,
    create_schedule,
    record_measure,
    record_referral_score,
    send_measure_request,
)

# After the treatment-day demo (55): patients in a course get scores from its start date,
# so the trajectory chart shows their sessions as markers and the course baseline is right.
ORDER = 60
WEEKS = 20
LONG_HISTORIES = 8
COURSE_HISTORIES = 6

# name -> (baseline range, fraction of baseline left at the end, weeks to reach it)
COURSES = {
    "remitter": ((18, 24), 0.12, 3),
    "responder": ((17, 23), 0.45, 5),
    "partial responder": ((16, 21), 0.68, 6),
    "non-responder": ((16, 22), 0.95, 6),
}
PLAN = ["remitter", "responder", "non-responder", "remitter", "responder", "partial responder"]
PLAN += ["remitter", "non-responder"]
COURSE_PLAN = ["responder", "remitter", "non-responder", "responder", "remitter", "responder"]


def _spread(total: int, keys: list[str], top: int, rng) -> dict[str, int]:
    """Random item answers within 0..top that add up to `total`."""
    answers = dict.fromkeys(keys, 0)
    total = min(total, top * len(keys))
    while total > 0:
        key = rng.choice(keys)
        if answers[key] < top:
            answers[key] += 1
            total -= 1
    return answers


def _phq9(total, rng, item9=0):
    answers = _spread(total - item9, [str(n) for n in range(1, 9)], 3, rng)
    answers["9"] = item9
    answers["10"] = min(3, total // 7)
    return answers


def _qids(total, rng):
    # Spread the total over the nine scoring domains, then fill each domain's items so that
    # its highest item equals the domain score (the QIDS-SR16 domain-maximum rule).
    domains = QIDS_SR16.domains
    by_domain = _spread(total, [str(i) for i in range(len(domains))], 3, rng)
    answers = {}
    for index, items in enumerate(domains):
        value = by_domain[str(index)]
        lead = rng.choice(items)
        for key in items:
            answers[key] = value if key == lead else rng.randint(0, value)
    answers["12"] = 0  # no suicidal thoughts in the demo trajectories (alerts are seeded apart)
    return answers


def _madrs(total, rng):
    answers = _spread(total, [str(n) for n in range(1, 10)], 6, rng)
    answers["10"] = min(1, total // 20)
    return answers


def _trajectory(kind: str, rng, weeks: int) -> list[int]:
    (low, high), end_fraction, weeks_to_effect = COURSES[kind]
    baseline = rng.randint(low, high)
    scores = []
    for week in range(weeks + 1):
        progress = min(1.0, week / weeks_to_effect)
        expected = baseline * (1 - (1 - end_fraction) * progress)
        noise = rng.choice([-2, -1, -1, 0, 0, 0, 1, 1, 2]) if week else 0
        scores.append(max(0, min(27, round(expected) + noise)))
    return scores


def _record_history(ctx, patient, index, kind, start, weeks, *, extras=True) -> None:
    rng, nurse, prescriber = ctx.rng, ctx.user("nurse"), ctx.user("prescriber")
    latest = ctx.now - timedelta(hours=3)
    for week, total in enumerate(_trajectory(kind, rng, weeks)):
        # Weekly during the first two months, every two weeks in maintenance.
        if week > 8 and week % 2:
            continue
        at = min(start + timedelta(weeks=week, minutes=rng.randint(0, 40)), latest)
        record_measure(
            actor=nurse, patient=patient, instrument="phq9", answers=_phq9(total, rng),
            administered_at=at,
        )  # fmt: skip
        if week % 4 == 0:
            gad7 = max(0, min(21, round(total * 0.75) + rng.randint(-2, 2)))
            answers = _spread(gad7, [str(n) for n in range(1, 8)], 3, rng)
            record_measure(
                actor=nurse, patient=patient, instrument="gad7", answers=answers,
                administered_at=at + timedelta(minutes=5),
            )  # fmt: skip
        if extras and index < 3:
            record_measure(
                actor=nurse, patient=patient, instrument="qids_sr16",
                answers=_qids(min(27, round(total * 0.9)), rng),
                administered_at=at + timedelta(minutes=10),
            )  # fmt: skip
        if extras and index in (0, 2, 4, 6) and week in (0, 2, 4, 8, 12, 16):
            record_measure(
                actor=prescriber, patient=patient, instrument="madrs",
                answers=_madrs(min(54, round(total * 1.6)), rng),
                administered_at=at + timedelta(minutes=50),
            )  # fmt: skip


def seed(ctx) -> None:
    tz = ctx.clinic.tz
    in_course, without_course = [], []
    for patient in ctx.patients:
        started = course_start(patient)
        (in_course if started else without_course).append((patient, started))
    long_history = [p for p, _ in without_course[:LONG_HISTORIES]]
    # Months of scores for patients between courses or in maintenance (no active course).
    first_day = ctx.now - timedelta(weeks=WEEKS, hours=ctx.rng.randint(0, 6))
    for index, (patient, kind) in enumerate(zip(long_history, PLAN, strict=False)):
        _record_history(ctx, patient, index, kind, first_day + timedelta(days=index % 3), WEEKS)
    # Patients in a course: a baseline on the morning the course started, then weekly.
    for index, ((patient, started), kind) in enumerate(
        zip(in_course[:COURSE_HISTORIES], COURSE_PLAN, strict=False)
    ):
        morning = datetime.combine(started, time(8, 0), tzinfo=tz)
        weeks = max(0, (ctx.now - morning).days // 7)
        _record_history(ctx, patient, index + 10, kind, morning, weeks, extras=False)
    _seed_alerts(ctx, long_history)
    _seed_schedules(ctx, long_history, in_course[:COURSE_HISTORIES])
    _seed_link(ctx, long_history)
    _seed_referral_score(ctx, long_history, first_day)


def _seed_referral_score(ctx, patients, first_day) -> None:
    """A PHQ-9 total that came with a referral, two weeks before the clinic's first score; left
    unconfirmed, so the clinic's own first score stays the baseline."""
    if len(patients) < 5:
        return
    record_referral_score(
        actor=ctx.user("nurse"),
        patient=patients[4],
        total=22,
        observed_on=timezone.localdate(first_day, ctx.clinic.tz) - timedelta(days=14),
        organisation="Lakeside Primary Care",
        referral_ref="LPC-2291",
    )


def _seed_alerts(ctx, patients) -> None:
    nurse, prescriber = ctx.user("nurse"), ctx.user("prescriber")
    # An alert handled months ago: PHQ-9 item 9 at intake, then a low-risk C-SSRS screen.
    earlier = patients[1]
    first = ctx.now - timedelta(weeks=WEEKS - 1)
    _, alerts = record_measure(
        actor=nurse, patient=earlier, instrument="phq9", answers=_phq9(19, ctx.rng, item9=1),
        administered_at=first,
    )  # fmt: skip
    record_measure(
        actor=prescriber, patient=earlier, instrument="cssrs_screener",
        answers={"1": 1, "2": 0, "6": 0}, administered_at=first + timedelta(minutes=30),
    )  # fmt: skip
    for alert in alerts:
        acknowledge_alert(
            actor=prescriber,
            alert=alert,
            note="C-SSRS screener completed: low risk. Safety plan reviewed with the patient.",
        )
    # The open alert the demo shows: a non-responder's PHQ-9 three days ago, item 9 = 1.
    record_measure(
        actor=nurse, patient=patients[2], instrument="phq9", answers=_phq9(20, ctx.rng, item9=1),
        administered_at=ctx.now - timedelta(days=3),
    )  # fmt: skip


def _seed_schedules(ctx, long_history, in_course) -> None:
    nurse = ctx.user("nurse")
    begin = (ctx.now - timedelta(weeks=WEEKS)).date()
    for patient, started in in_course:
        create_schedule(
            actor=nurse, patient=patient, instrument="phq9",
            frequency=Frequency.BEFORE_SESSION, starts_on=started,
        )  # fmt: skip
    for patient in long_history[:6]:
        create_schedule(
            actor=nurse, patient=patient, instrument="gad7", frequency=Frequency.INTERVAL,
            interval_days=28, starts_on=begin,
        )  # fmt: skip
    for patient in long_history[:3]:
        create_schedule(
            actor=nurse, patient=patient, instrument="qids_sr16", frequency=Frequency.INTERVAL,
            interval_days=7, starts_on=begin,
        )  # fmt: skip
    for patient in long_history[6:8]:
        create_schedule(
            actor=nurse, patient=patient, instrument="pcl5", frequency=Frequency.INTERVAL,
            interval_days=28, starts_on=(ctx.now - timedelta(days=6)).date(),
        )  # fmt: skip
    if long_history:
        create_schedule(
            actor=ctx.user("prescriber"), patient=long_history[0], instrument="madrs",
            frequency=Frequency.INTERVAL, interval_days=28, starts_on=begin,
        )  # fmt: skip


def _seed_link(ctx, patients) -> None:
    patient = patients[3]
    sent = send_measure_request(
        actor=ctx.user("nurse"), patient=patient, instruments=["phq9", "gad7"], now=ctx.now
    )
    ctx.notes.append("")
    ctx.notes.append(
        f"Unused self-report link (PHQ-9 + GAD-7) for demo patient {patient.full_name} "
        f"({patient.mrn}), valid until {sent.request.expires_at:%Y-%m-%d %H:%M} UTC:"
    )
    ctx.notes.append(f"  {sent.url}")
