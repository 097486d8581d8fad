"""Built-in antidepressant table: class and minimum adequate daily dose, after the MGH-ATRQ."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

# The MGH Antidepressant Treatment Response Questionnaire (ATRQ) lists, per antidepressant, the
# lowest daily dose that counts as an adequate trial. The printed form itself could not be read
# while this table was reviewed; what could be read is the validation paper (which does not print
# the table) and the authors' case report in Current Psychiatry. So every row keeps
# needs_verification=True and says why; a clinic replaces a row from its own copy of the ATRQ
# (docs/intake.md, "Changing the dose table") and its row then counts as verified. A value the
# review showed to be wrong is not replaced by a guess: the row keeps no minimum and a clinician
# confirms each trial's dose. Nothing here is a prescribing recommendation.
ATRQ_PAPER = (
    "MGH Antidepressant Treatment Response Questionnaire (ATRQ): Chandler GM, Iosifescu DV, "
    "Pollack MH, Targum SD, Fava M. Validation of the Massachusetts General Hospital "
    "Antidepressant Treatment History Questionnaire (ATRQ). CNS Neurosci Ther 2010;16(5):322-325"
)
ATRQ_CASE_REPORT = (
    "the ATRQ authors' case report in 'Personalizing depression treatment: 2 clinical tools', "
    "Current Psychiatry 2012;11(3)"
)
_UNCHECKED = (
    f"{ATRQ_PAPER}. The minimum dose could not be checked against the printed ATRQ form "
    "(the paper does not print the table): verify against the clinic's copy"
)


def _seen(finding: str) -> str:
    return f"{_UNCHECKED}; consistent with {ATRQ_CASE_REPORT}: {finding}"


class DrugClass:
    """Antidepressant classes as the intake form groups them."""

    SSRI = "SSRI"
    SNRI = "SNRI"
    TCA = "TCA"
    MAOI = "MAOI"
    ATYPICAL = "atypical"
    SEROTONIN_MODULATOR = "serotonin modulator"


@dataclass(frozen=True)
class Antidepressant:
    """One row of the dose table.

    min_daily_dose_mg is None when no minimum could be confirmed: the rules then ask a clinician
    to confirm the dose of each trial, and refuse any dose at or below inadequate_at_or_below_mg
    (a dose the source states is too low).
    """

    name: str  # lower-case generic name, the key used by the API
    drug_class: str
    min_daily_dose_mg: Decimal | None
    source: str
    aliases: tuple[str, ...] = ()  # brand names, so referral text like "Zoloft 100 mg" maps
    needs_verification: bool = False
    inadequate_at_or_below_mg: Decimal | None = None

    def dose_needs_confirmation(self, daily_dose_mg: Decimal | None) -> bool:
        """True when the table cannot judge this dose and a clinician must."""
        if self.min_daily_dose_mg is not None or daily_dose_mg is None:
            return False
        bound = self.inadequate_at_or_below_mg
        return bound is None or daily_dose_mg > bound


def _row(
    name: str, drug_class: str, dose: str, *aliases: str, source: str = _UNCHECKED
) -> Antidepressant:
    return Antidepressant(
        name, drug_class, Decimal(dose), source, tuple(aliases), needs_verification=True
    )


BUILT_IN: tuple[Antidepressant, ...] = (
    # SSRIs
    _row(
        "citalopram",
        DrugClass.SSRI,
        "20",
        "celexa",
        "cipramil",
        source=_seen(
            "citalopram 20 mg/day was faulted only for its 1-month duration, not its dose"
        ),
    ),
    _row("escitalopram", DrugClass.SSRI, "10", "lexapro", "cipralex"),
    _row("fluoxetine", DrugClass.SSRI, "20", "prozac"),
    _row("fluvoxamine", DrugClass.SSRI, "50", "luvox"),
    _row("paroxetine", DrugClass.SSRI, "20", "paxil", "seroxat"),
    _row(
        "sertraline",
        DrugClass.SSRI,
        "50",
        "zoloft",
        "lustral",
        source=_seen("sertraline 100 mg/day for 3 months counted as an adequate (failed) trial"),
    ),
    # SNRIs
    Antidepressant(
        "venlafaxine",
        DrugClass.SNRI,
        None,
        f"{ATRQ_PAPER}; {ATRQ_CASE_REPORT}: venlafaxine 75 mg/day for 7 weeks is not an "
        "adequate trial because the dose is too low. The ATRQ minimum itself could not be "
        "checked, so a dose above 75 mg/day needs a clinician's confirmation until the clinic "
        "enters the minimum from its copy of the ATRQ",
        ("effexor",),
        needs_verification=True,
        inadequate_at_or_below_mg=Decimal("75"),
    ),
    _row("desvenlafaxine", DrugClass.SNRI, "50", "pristiq"),
    _row(
        "duloxetine",
        DrugClass.SNRI,
        "60",
        "cymbalta",
        source=_seen("duloxetine up to 90 mg/day counted as an adequate trial"),
    ),
    _row("levomilnacipran", DrugClass.SNRI, "40", "fetzima"),
    # Tricyclics
    _row("amitriptyline", DrugClass.TCA, "150", "elavil"),
    _row("clomipramine", DrugClass.TCA, "150", "anafranil"),
    _row("desipramine", DrugClass.TCA, "150", "norpramin"),
    _row("doxepin", DrugClass.TCA, "150", "sinequan"),
    _row("imipramine", DrugClass.TCA, "150", "tofranil"),
    _row("nortriptyline", DrugClass.TCA, "75", "pamelor", "aventyl"),
    _row("protriptyline", DrugClass.TCA, "30", "vivactil"),
    _row("trimipramine", DrugClass.TCA, "150", "surmontil"),
    # MAOIs (selegiline as the transdermal system, mg per 24 h)
    _row("phenelzine", DrugClass.MAOI, "45", "nardil"),
    _row("tranylcypromine", DrugClass.MAOI, "30", "parnate"),
    _row("isocarboxazid", DrugClass.MAOI, "30", "marplan"),
    _row("selegiline", DrugClass.MAOI, "6", "emsam"),
    # Others
    _row("bupropion", DrugClass.ATYPICAL, "300", "wellbutrin"),
    _row("mirtazapine", DrugClass.ATYPICAL, "15", "remeron"),
    _row("nefazodone", DrugClass.SEROTONIN_MODULATOR, "300", "serzone"),
    _row("trazodone", DrugClass.SEROTONIN_MODULATOR, "300", "desyrel"),
    _row("vilazodone", DrugClass.SEROTONIN_MODULATOR, "40", "viibryd"),
    _row("vortioxetine", DrugClass.SEROTONIN_MODULATOR, "10", "trintellix", "brintellix"),
)


def normalize_drug_name(name: str) -> str:
    """The table key for a name as typed: lower case, single spaces, no surrounding blanks."""
    return " ".join(name.lower().split())


def dose_table(
    overrides: Iterable[Antidepressant] = (),
    base: Iterable[Antidepressant] = BUILT_IN,
) -> dict[str, Antidepressant]:
    """The built-in table with a clinic's rows laid over it (same name replaces, new name adds)."""
    table = {row.name: row for row in base}
    for row in overrides:
        name = normalize_drug_name(row.name)
        replaced = table.get(name)
        aliases = row.aliases or (replaced.aliases if replaced else ())
        table[name] = replace(row, name=name, aliases=aliases)
    return table


def lookup(name: str, table: Mapping[str, Antidepressant] | None = None) -> Antidepressant | None:
    """The row for a generic or brand name, or None for a drug the table does not know."""
    table = dose_table() if table is None else table
    key = normalize_drug_name(name)
    if key in table:
        return table[key]
    for row in table.values():
        if key in row.aliases:
            return row
    return None


_WORD = re.compile(r"[a-z][a-z-]+")


def find_in_text(
    text: str, table: Mapping[str, Antidepressant] | None = None
) -> Antidepressant | None:
    """The first table drug named anywhere in free text ("Sertraline 50 MG Oral Tablet")."""
    table = dose_table() if table is None else table
    for word in _WORD.findall(text.lower()):
        row = lookup(word, table)
        if row is not None:
            return row
    return None
