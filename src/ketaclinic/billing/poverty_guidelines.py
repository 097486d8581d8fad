"""HHS poverty guidelines shipped as data per year and region; clinics load later years."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

CONTIGUOUS = "contiguous"
ALASKA = "alaska"
HAWAII = "hawaii"
REGIONS = (
    (CONTIGUOUS, "48 contiguous states and the District of Columbia"),
    (ALASKA, "Alaska"),
    (HAWAII, "Hawaii"),
)


@dataclass(frozen=True)
class Guideline:
    """100% of the poverty guideline: one person, plus a fixed amount per additional person."""

    year: int
    region: str
    first_person: Decimal
    each_additional: Decimal
    source: str


HHS = "HHS poverty guidelines (ASPE), Federal Register"
SOURCE_2024 = f"{HHS} 89 FR 2961, January 17, 2024"
SOURCE_2025 = f"{HHS} 90 FR 5917, January 17, 2025"

# Only years whose values we are sure of ship here; load later years (or correct these)
# per clinic with the API, the settings page or `ketaclinic load_poverty_guidelines`.
SHIPPED: tuple[Guideline, ...] = (
    Guideline(2024, CONTIGUOUS, Decimal("15060"), Decimal("5380"), SOURCE_2024),
    Guideline(2024, ALASKA, Decimal("18810"), Decimal("6730"), SOURCE_2024),
    Guideline(2024, HAWAII, Decimal("17310"), Decimal("6190"), SOURCE_2024),
    Guideline(2025, CONTIGUOUS, Decimal("15650"), Decimal("5500"), SOURCE_2025),
    Guideline(2025, ALASKA, Decimal("19550"), Decimal("6880"), f"{SOURCE_2025} (verify)"),
    Guideline(2025, HAWAII, Decimal("17990"), Decimal("6330"), f"{SOURCE_2025} (verify)"),
)
