"""Ledger settings: clinic hours, diversion thresholds and the DEA holiday calendar.

Override any key in `settings.KETACLINIC_INVENTORY` (a dict). Every default is either a
statistical convention or a project choice documented in docs/inventory.md, not a regulation.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from ketaclinic.inventory import definitions as d
from ketaclinic.inventory.rules import us_federal_holidays

DEFAULTS = {
    # Movements outside these clinic-local hours are a diversion signal (project choice).
    "clinic_opens": "07:00",
    "clinic_closes": "19:00",
    "clinic_weekdays": [0, 1, 2, 3, 4],
    "robust_z_threshold": str(d.ROBUST_Z_THRESHOLD.value),
    "diversion_min_peers": d.DIVERSION_MIN_PEERS.value,
    "repeated_discrepancy_count": d.REPEATED_DISCREPANCY_COUNT.value,
    "repeated_discrepancy_window_days": d.REPEATED_DISCREPANCY_WINDOW_DAYS.value,
    "witness_pair_min_acts": d.WITNESS_PAIR_MIN_ACTS.value,
    # A draw is "without administration" once this long has passed with none recorded.
    "draw_grace_hours": 12,
    # "us_federal" (5 U.S.C. 6103) or a list of ISO dates; business days skip these.
    "holidays": "us_federal",
}


@dataclass(frozen=True)
class InventoryConfig:
    clinic_opens: dt.time
    clinic_closes: dt.time
    clinic_weekdays: tuple[int, ...]
    robust_z_threshold: Decimal
    diversion_min_peers: int
    repeated_discrepancy_count: int
    repeated_discrepancy_window_days: int
    draw_grace: dt.timedelta
    holidays: object
    witness_pair_min_acts: int = d.WITNESS_PAIR_MIN_ACTS.value

    def holidays_around(self, day: dt.date) -> set[dt.date]:
        """Holidays of the year of `day` and the next (deadlines can cross New Year)."""
        if self.holidays == "us_federal":
            return us_federal_holidays(day.year) | us_federal_holidays(day.year + 1)
        return {dt.date.fromisoformat(str(x)) for x in self.holidays or ()}


def get_config() -> InventoryConfig:
    values = {**DEFAULTS, **getattr(settings, "KETACLINIC_INVENTORY", {})}
    return InventoryConfig(
        clinic_opens=dt.time.fromisoformat(values["clinic_opens"]),
        clinic_closes=dt.time.fromisoformat(values["clinic_closes"]),
        clinic_weekdays=tuple(int(x) for x in values["clinic_weekdays"]),
        robust_z_threshold=Decimal(str(values["robust_z_threshold"])),
        diversion_min_peers=int(values["diversion_min_peers"]),
        repeated_discrepancy_count=int(values["repeated_discrepancy_count"]),
        repeated_discrepancy_window_days=int(values["repeated_discrepancy_window_days"]),
        draw_grace=dt.timedelta(hours=float(values["draw_grace_hours"])),
        holidays=values["holidays"],
        witness_pair_min_acts=int(values["witness_pair_min_acts"]),
    )
