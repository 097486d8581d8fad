"""Built-in antidepressant table: class and minimum adequate daily dose, after the MGH-ATRQ."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

# The MGH Antidepressant Treatment Response Questionnaire (ATRQ) lists, per antidepressant, the
# lowest daily dose that counts as an adequate trial. The printed form could not be consulted while
# this table was written, so EVERY value below carries "(verify)": a clinic must check it against
# its copy of the ATRQ and may change any row (see docs/intake.md, "Changing the dose table")
# without a code change. Nothing here is a prescribing recommendation.
ATRQ_SOURCE = (
    "MGH-ATRQ minimum adequate dose table (Fava; Chandler et al., CNS Neurosci Ther "
    "2010;16:322-325; Desseilles et al., J Clin Psychiatry 2011;72:1152-1154)"
)
VERIFY = "(verify)"
_ATRQ_UNCHECKED = f"{ATRQ_SOURCE} {VERIFY}: not yet checked against the printed ATRQ form"


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
    """One row of the dose table."""

    name: str  # lower-case generic name, the key used by the API
    drug_class: str
    min_daily_dose_mg: Decimal
    source: str
    aliases: tuple[str, ...] = ()  # brand names, so referral text like "Zoloft 100 mg" maps

    @property
    def needs_verification(self) -> bool:
        return VERIFY in self.source


def _row(name: str, drug_class: str, dose: str, *aliases: str) -> Antidepressant:
    return Antidepressant(name, drug_class, Decimal(dose), _ATRQ_UNCHECKED, tuple(aliases))


BUILT_IN: tuple[Antidepressant, ...] = (
    # SSRIs
    _row("citalopram", DrugClass.SSRI, "20", "celexa", "cipramil"),
    _row("escitalopram", DrugClass.SSRI, "10", "lexapro", "cipralex"),
    _row("fluoxetine", DrugClass.SSRI, "20", "prozac"),
    _row("fluvoxamine", DrugClass.SSRI, "50", "luvox"),
    _row("paroxetine", DrugClass.SSRI, "20", "paxil", "seroxat"),
    _row("sertraline", DrugClass.SSRI, "50", "zoloft", "lustral"),
    # SNRIs
    _row("venlafaxine", DrugClass.SNRI, "75", "effexor"),
    _row("desvenlafaxine", DrugClass.SNRI, "50", "pristiq"),
    _row("duloxetine", DrugClass.SNRI, "60", "cymbalta"),
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
