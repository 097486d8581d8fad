"""Built-in PDMP rules: only states whose requirement was read in the statute or regulation.

Each row names the provision it encodes and the date it was last reviewed. A state whose
primary text could not be read, or whose rule does not fit the table's shape (a check within N
days, or before every order), is left out: the clinic enters it itself. See docs/pdmp.md for
what each row was read from and what it leaves out (exemptions are not modelled).
"""

import datetime

from .rules import Frequency, Origin, StateRule

REVIEWED_ON = datetime.date(2026, 12, 2)

BUILT_IN_RULES: tuple[StateRule, ...] = (
    StateRule(
        state="AK",
        before_prescribing=True,
        before_administering=True,
        frequency=Frequency.EVERY_ORDER,
        window_days=None,
        source="Alaska Stat. § 17.30.200(k)(4)",
        last_reviewed_on=REVIEWED_ON,
        scope=(
            "Review before dispensing, prescribing or administering a federal schedule II or "
            "III controlled substance. Not required for treatment in an inpatient setting, at "
            "an emergency scene or in an ambulance, in an emergency room, immediately before, "
            "during or within 48 hours after surgery or a medical procedure, in a hospice or "
            "nursing home with an in-house pharmacy, or for a nonrefillable supply of three "
            "days or less."
        ),
        origin=Origin.BUILT_IN,
    ),
    StateRule(
        state="FL",
        before_prescribing=True,
        before_administering=False,
        frequency=Frequency.EVERY_ORDER,
        window_days=None,
        source="Fla. Stat. § 893.055(8)",
        last_reviewed_on=REVIEWED_ON,
        scope=(
            "Consult before each prescribing or dispensing of a controlled substance for a "
            "patient age 16 or older. The subsection lists exemptions, among them nonopioid "
            "schedule V controlled substances and a system that is not operational."
        ),
        origin=Origin.BUILT_IN,
    ),
    StateRule(
        state="NY",
        before_prescribing=True,
        before_administering=False,
        frequency=Frequency.WITHIN_DAYS,
        window_days=1,
        source="10 NYCRR § 80.63(c)(1) (N.Y. Public Health Law § 3343-a)",
        last_reviewed_on=REVIEWED_ON,
        scope=(
            "Consult before prescribing or dispensing a schedule II, III or IV controlled "
            "substance; the history must be obtained no more than 24 hours before. The "
            "exceptions are listed in 10 NYCRR § 80.63(c)(2)."
        ),
        origin=Origin.BUILT_IN,
    ),
)

BUILT_IN_BY_STATE: dict[str, StateRule] = {rule.state: rule for rule in BUILT_IN_RULES}
