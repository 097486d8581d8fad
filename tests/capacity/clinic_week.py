"""A clinic set up for planning in tests, through the capacity services: one IV chair open
Wednesday and Thursday 08:00-18:00, one nurse on shift those days."""

import datetime as dt

from ketaclinic.capacity import services
from ketaclinic.protocols import services as protocols

T = dt.time


def one_iv_chair_on_wednesday_and_thursday(clinic_admin, nurse, wednesday: dt.date) -> None:
    services.add_chair(actor=clinic_admin, name="1", iv_infusion=True)
    protocols.set_open_weekdays(actor=clinic_admin, weekdays=[2, 3])  # Wed, Thu
    for weekday in (2, 3):
        services.set_opening_hours(actor=clinic_admin, weekday=weekday, opens=T(8), closes=T(18))
    services.update_staffing_rules(
        actor=clinic_admin, chairs_per_nurse=2, prescriber_for_esketamine=True,
        prescriber_for_iv=False, arrival_min=15, turnover_min=15, observation_min=60,
    )  # fmt: skip
    for day in (wednesday, wednesday + dt.timedelta(days=1)):
        services.add_shift(
            actor=clinic_admin, staff_id=nurse.pk, date=day, starts_at=T(8), ends_at=T(18)
        )
