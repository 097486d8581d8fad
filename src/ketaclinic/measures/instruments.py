"""Rating scales as data: items, scoring, bands, safety items and cut-offs, each with its source."""

from __future__ import annotations

from decimal import Decimal

from ketaclinic.measures import published_text as text
from ketaclinic.measures.scales import (
    CLINICIAN,
    PATIENT,
    RISK_LEVEL,
    SUM,
    YES_NO,
    Band,
    EitherOr,
    Instrument,
    Item,
    ItemText,
    ReliableChangeData,
    Remission,
    SafetyRule,
    Translation,
)
from ketaclinic.measures.scales import numbered as _numbered
from ketaclinic.measures.scales import one_item_domains as _each
from ketaclinic.measures.scales import options_from as _options

# Primary sources cited in the definitions below (the text users read names these, never an
# internal document). docs/measures.md lists each rule with its source.
KROENKE_2001 = "Kroenke K, Spitzer RL, Williams JB. J Gen Intern Med 2001;16:606-613"
SPITZER_2006 = "Spitzer RL, Kroenke K, Williams JB, Lowe B. Arch Intern Med 2006;166:1092-1097"
RUSH_2003 = "Rush AJ et al. Biol Psychiatry 2003;54:573-583"
MONTGOMERY_1979 = "Montgomery SA, Asberg M. Br J Psychiatry 1979;134:382-389"
POSNER_2011 = "Posner K et al. Am J Psychiatry 2011;168:1266-1277"
COLUMBIA_TRIAGE = "Columbia Lighthouse Project, C-SSRS screen version triage (cssrs.columbia.edu)"
PHQ_LICENCE = (
    "Free to reproduce, translate, display and distribute without permission (Pfizer; "
    "phqscreeners.com): item text ships"
)
PHQ9_ES_SOURCE = (
    "PHQ-9, official Spanish version for the USA (Cuestionario sobre la salud del paciente-9), "
    "Pfizer Inc. (phqscreeners.com): developed by Drs. Robert L. Spitzer, Janet B.W. Williams, "
    "Kurt Kroenke and colleagues with an educational grant from Pfizer Inc.; no permission "
    "required to reproduce, translate, display or distribute"
)
GAD7_ES_SOURCE = (
    "GAD-7, official Spanish version for the USA, Pfizer Inc. (phqscreeners.com): developed by "
    "Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues with an "
    "educational grant from Pfizer Inc.; no permission required to reproduce, translate, "
    "display or distribute"
)
NO_SD = "not set: configure the SD of a pre-treatment sample (Jacobson & Truax 1991) (verify)"

# --- PHQ-9 -------------------------------------------------------------------------------------

_PHQ9_LABELS = {
    "1": "little interest or pleasure",
    "2": "feeling down, depressed, or hopeless",
    "3": "sleep",
    "4": "tired or little energy",
    "5": "appetite",
    "6": "feeling bad about yourself",
    "7": "concentration",
    "8": "moving or speaking slowly / restless",
    "9": "thoughts of being better off dead or of self-harm",
    "10": "difficulty (functional, unscored)",
}

PHQ9 = Instrument(
    code="phq9",
    name="PHQ-9",
    version="1",
    completed_by=PATIENT,
    items=(
        *(
            Item(
                key=k,
                label=_PHQ9_LABELS[k],
                text=text.PHQ9_ITEMS[k],
                options=_options(text.PHQ_OPTIONS),
            )
            for k in map(str, range(1, 10))
        ),
        Item(
            key="10",
            label=_PHQ9_LABELS["10"],
            text=text.PHQ9_ITEMS["10"],
            options=_options(text.PHQ9_FUNCTIONAL_OPTIONS),
            scored=False,
            required=False,
        ),
    ),
    scoring=SUM,
    domains=_each(map(str, range(1, 10))),
    scoring_source=f"{KROENKE_2001}: total of items 1-9, 0-27; item 10 is not scored",
    bands_source=f"{KROENKE_2001}: scores of 5, 10, 15 and 20 mark mild, moderate, moderately "
    "severe and severe depression",
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
    safety_rules=(
        SafetyRule(
            code="phq9_item9",
            name="PHQ-9 item 9",
            item="9",
            min_value=1,
            message=(
                "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered "
                "{value}. A prescriber must assess suicide risk now; PHQ-9 item 9 alone misses "
                "many at-risk patients, so complete the C-SSRS screener."
            ),
            source=(
                "Any answer above 0 is followed up: item 9 answers predict later suicide "
                "attempts and deaths (Simon GE et al. Psychiatr Serv 2013;64:1195-1202), yet "
                "most patients who died by suicide had answered 0 (Louzon SA et al. Psychiatr "
                "Serv 2016;67:517-522), so the C-SSRS screener is paired with it"
            ),
        ),
    ),
    remission=Remission("<", 5, source=f"below 5, the minimal band 0-4 ({KROENKE_2001})"),
    reliable_change=ReliableChangeData(
        reliability=Decimal("0.89"),
        reliability_source="Kroenke, Spitzer & Williams 2001, J Gen Intern Med 16:606: "
        "Cronbach's alpha 0.89 (verify)",
        sd=None,
        sd_source=NO_SD,
    ),
    tracks_outcome=True,
    loinc_panel="44249-1",
    loinc_total="44261-6",
    instructions=text.PHQ9_INSTRUCTIONS,
    ships_item_text=True,
    source=KROENKE_2001,
    licence=PHQ_LICENCE,
    notes=("Item 10 (functional difficulty) is optional and not scored; if given it must be 0-3.",),
    translations=(
        Translation(
            language="es",
            instructions=text.PHQ9_ES_INSTRUCTIONS,
            items={
                k: ItemText(
                    text.PHQ9_ES_ITEMS[k],
                    text.PHQ9_ES_FUNCTIONAL_OPTIONS if k == "10" else text.PHQ_ES_OPTIONS,
                )
                for k in map(str, range(1, 11))
            },
            source=PHQ9_ES_SOURCE,
        ),
    ),
)

# --- GAD-7 -------------------------------------------------------------------------------------

_GAD7_LABELS = {
    "1": "nervous, anxious or on edge",
    "2": "cannot stop or control worrying",
    "3": "worrying too much",
    "4": "trouble relaxing",
    "5": "restless",
    "6": "easily annoyed or irritable",
    "7": "afraid something awful might happen",
}

GAD7 = Instrument(
    code="gad7",
    name="GAD-7",
    version="1",
    completed_by=PATIENT,
    items=tuple(
        Item(
            key=k,
            label=_GAD7_LABELS[k],
            text=text.GAD7_ITEMS[k],
            options=_options(text.PHQ_OPTIONS),
        )
        for k in map(str, range(1, 8))
    ),
    scoring=SUM,
    domains=_each(map(str, range(1, 8))),
    scoring_source=f"{SPITZER_2006}: total of items 1-7, 0-21",
    bands_source=f"{SPITZER_2006}: scores of 5, 10 and 15 mark mild, moderate and severe anxiety",
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
    remission=Remission("<", 5, source=f"below 5, the minimal band 0-4 ({SPITZER_2006})"),
    reliable_change=ReliableChangeData(
        reliability=Decimal("0.92"),
        reliability_source="Spitzer, Kroenke, Williams & Lowe 2006, Arch Intern Med 166:1092: "
        "Cronbach's alpha 0.92 (verify)",
        sd=None,
        sd_source=NO_SD,
    ),
    tracks_outcome=True,
    loinc_panel="69737-5",
    loinc_total="70274-6",
    instructions=text.GAD7_INSTRUCTIONS,
    ships_item_text=True,
    source=SPITZER_2006,
    licence=PHQ_LICENCE,
    translations=(
        Translation(
            language="es",
            instructions=text.GAD7_ES_INSTRUCTIONS,
            items={
                k: ItemText(text.GAD7_ES_ITEMS[k], text.GAD7_ES_OPTIONS)
                for k in map(str, range(1, 8))
            },
            source=GAD7_ES_SOURCE,
        ),
    ),
)

# --- QIDS-SR16 ---------------------------------------------------------------------------------

# Short item names as the published form's item headings (Rush et al. 2003).
_QIDS_LABELS = {
    "1": "falling asleep",
    "2": "sleep during the night",
    "3": "waking too early",
    "4": "sleeping too much",
    "5": "feeling sad",
    "6": "decreased appetite",
    "7": "increased appetite",
    "8": "decreased weight",
    "9": "increased weight",
    "10": "concentration",
    "11": "view of myself",
    "12": "thoughts of death or suicide",
    "13": "general interest",
    "14": "energy level",
    "15": "feeling slowed down",
    "16": "feeling restless",
}

QIDS_EITHER_OR_SOURCE = (
    f"{RUSH_2003}; the published QIDS-SR16 form asks for either item 6 or item 7, and either "
    "item 8 or item 9"
)
_QIDS_EITHER_OR = (
    EitherOr(("6", "7"), "appetite: decreased or increased", QIDS_EITHER_OR_SOURCE),
    EitherOr(("8", "9"), "weight: decreased or increased", QIDS_EITHER_OR_SOURCE),
)
_QIDS_EITHER_OR_ITEMS = frozenset(k for g in _QIDS_EITHER_OR for k in g.items)

QIDS_SR16 = Instrument(
    code="qids_sr16",
    name="QIDS-SR16",
    version="1",
    completed_by=PATIENT,
    items=tuple(
        Item(
            key=k,
            label=_QIDS_LABELS[k],
            text=text.QIDS_SR16_ITEMS[k][0],
            options=_options(text.QIDS_SR16_ITEMS[k][1]),
            # The printed form asks for item 6 or 7 and for item 8 or 9 (see either_or).
            required=k not in _QIDS_EITHER_OR_ITEMS,
        )
        for k in map(str, range(1, 17))
    ),
    scoring=SUM,
    # Rush et al. 2003: max(1-4) + 5 + max(6-9) + 10 + 11 + 12 + 13 + 14 + max(15-16).
    domains=(
        ("1", "2", "3", "4"),
        ("5",),
        ("6", "7", "8", "9"),
        ("10",),
        ("11",),
        ("12",),
        ("13",),
        ("14",),
        ("15", "16"),
    ),
    domain_names=(("1", "sleep"), ("6", "appetite/weight"), ("15", "psychomotor")),
    either_or=_QIDS_EITHER_OR,
    scoring_source=f"{RUSH_2003}: nine DSM-IV symptom domains, each scoring its highest item; "
    "total 0-27",
    bands_source=f"{RUSH_2003}; severity table of the scale's authors (ids-qids.org)",
    bands=(
        Band(0, 5, "none"),
        Band(6, 10, "mild"),
        Band(11, 15, "moderate"),
        Band(16, 20, "severe"),
        Band(21, 27, "very severe"),
    ),
    safety_rules=(
        SafetyRule(
            code="qids_item12",
            name="QIDS-SR16 item 12",
            item="12",
            min_value=1,
            message=(
                "QIDS-SR16 item 12 (thoughts of death or suicide) answered {value}. "
                "A prescriber must assess suicide risk now (e.g. C-SSRS screener)."
            ),
            source=(
                f"Any answer above 0 to item 12, thoughts of death or suicide ({RUSH_2003}), "
                "is followed up as PHQ-9 item 9 is: the clinic's safety rule, not a published "
                "cut-off"
            ),
        ),
    ),
    remission=Remission(
        "<=",
        5,
        source=f"5 or less, the band 'none' ({RUSH_2003}); the remission definition of STAR*D "
        "(Trivedi MH et al. Am J Psychiatry 2006;163:28-40)",
    ),
    reliable_change=ReliableChangeData(
        reliability=Decimal("0.86"),
        reliability_source="Rush et al. 2003, Biol Psychiatry 54:573: QIDS-SR16 Cronbach's "
        "alpha 0.86 (verify)",
        sd=None,
        sd_source=NO_SD,
    ),
    tracks_outcome=True,
    instructions=text.QIDS_INSTRUCTIONS,
    ships_item_text=True,
    source=RUSH_2003,
    licence="Free per secondary sources (verify): item text ships",
    notes=(
        "Total uses the domain-maximum rule (sleep 1-4, appetite/weight 6-9, psychomotor 15-16).",
        "As the printed form asks: item 6 or 7, and item 8 or 9; every other item is required.",
    ),
)

# --- MADRS -------------------------------------------------------------------------------------

_MADRS_LABELS = (
    "apparent sadness",
    "reported sadness",
    "inner tension",
    "reduced sleep",
    "reduced appetite",
    "concentration difficulties",
    "lassitude",
    "inability to feel",
    "pessimistic thoughts",
    "suicidal thoughts",
)

MADRS = Instrument(
    code="madrs",
    name="MADRS",
    version="1",
    completed_by=CLINICIAN,
    items=tuple(
        Item(key=str(n), label=label, options=_numbered(0, 6))
        for n, label in enumerate(_MADRS_LABELS, start=1)
    ),
    scoring=SUM,
    domains=_each(map(str, range(1, 11))),
    scoring_source=f"{MONTGOMERY_1979}: total of items 1-10, 0-60",
    bands_source="Snaith RP, Harrop FM, Newby DA, Teale C. Br J Psychiatry 1986;148:599-601: "
    "0-6, 7-19, 20-34 and 35-60",
    bands=(
        Band(0, 6, "normal"),
        Band(7, 19, "mild"),
        Band(20, 34, "moderate"),
        Band(35, 60, "severe"),
    ),
    safety_rules=(
        SafetyRule(
            code="madrs_item10",
            name="MADRS item 10",
            item="10",
            min_value=2,
            message=(
                "MADRS item 10 (suicidal thoughts) rated {value}. A prescriber must assess "
                "suicide risk now (e.g. C-SSRS screener)."
            ),
            source=(
                f"Item 10 rated 2 or more, the first rating that describes suicidal thoughts "
                f"({MONTGOMERY_1979}), is followed up: the clinic's safety rule, not a "
                "published cut-off"
            ),
        ),
    ),
    remission=Remission(
        "<=",
        10,
        source="10 or less, a cut-off used in trials (verify): derivation studies found below 10 "
        "(Hawley CJ et al. J Affect Disord 2002;72:177-184) and 9 or less (Zimmerman M et al. "
        "J Clin Psychiatry 2004;65:163-168); some studies use 12 or less. Configurable per "
        "clinic",
        verify=True,
    ),
    reliable_change=ReliableChangeData(
        reliability=None,
        reliability_source="not set: configure the reliability your clinic uses (verify)",
        sd=None,
        sd_source=NO_SD,
    ),
    tracks_outcome=True,
    source=MONTGOMERY_1979,
    licence="Licence unclear: item names only, no anchors; load licensed text per clinic",
)

# --- PCL-5 -------------------------------------------------------------------------------------

PCL5 = Instrument(
    code="pcl5",
    name="PCL-5",
    version="1",
    completed_by=PATIENT,
    items=tuple(
        Item(key=k, label=f"item {k}", text=text.PCL5_ITEMS[k], options=_options(text.PCL5_OPTIONS))
        for k in map(str, range(1, 21))
    ),
    scoring=SUM,
    domains=_each(map(str, range(1, 21))),
    scoring_source="Blevins CA et al. J Trauma Stress 2015;28:489-498: total of items 1-20, 0-80",
    # One cut-point only; scores below it have no band label.
    bands=(Band(33, 80, "probable PTSD"),),
    bands_source="Probable PTSD at 33 or more (configurable): Bovin MJ et al. Psychol Assess "
    "2016;28:1379-1391 (cut-points 31-33); National Center for PTSD, PCL-5 scoring",
    reliable_change=ReliableChangeData(
        reliability=Decimal("0.94"),
        reliability_source="Blevins et al. 2015, J Trauma Stress 28:489: Cronbach's alpha 0.94 "
        "(verify)",
        sd=None,
        sd_source=NO_SD,
    ),
    tracks_outcome=True,
    instructions=text.PCL5_INSTRUCTIONS,
    ships_item_text=True,
    source="Weathers FW et al. 2013, PTSD Checklist for DSM-5 (National Center for PTSD); "
    "Blevins CA et al. J Trauma Stress 2015;28:489-498",
    licence="Public domain (National Center for PTSD): item text ships",
)

# --- CADSS-6 -----------------------------------------------------------------------------------

CADSS6 = Instrument(
    code="cadss6",
    name="CADSS-6",
    version="1",
    completed_by=CLINICIAN,
    items=tuple(
        Item(key=str(n), label=f"CADSS-6 item {n}", options=_numbered(0, 4)) for n in range(1, 7)
    ),
    scoring=SUM,
    domains=_each(map(str, range(1, 7))),
    scoring_source="Rodrigues NB et al. J Affect Disord 2021;282:160-164: total of the six items",
    bands_source="No severity bands are published for the CADSS-6",
    source="Rodrigues NB et al. J Affect Disord 2021;282:160-164 (six items of the CADSS, "
    "Bremner JD et al. J Trauma Stress 1998;11:125-136)",
    licence="Licence unclear: item names only; load licensed text per clinic",
    notes=("Item range 0-4 (verify against the scale your clinic licenses).",),
)

# --- C-SSRS screener ---------------------------------------------------------------------------

CSSRS_LEVELS = ("none", "low", "moderate", "high")

# Columbia screen version triage, in order of precedence. Each clause is a conjunction: "k" = yes to
# item k, "!k" = not yes to item k. The first level with a satisfied clause wins.
CSSRS_RISK_RULES: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    ("high", (("4",), ("5",), ("6", "6b"))),
    ("moderate", (("3",), ("6", "!6b"))),
    ("low", (("1",), ("2",))),
)
CSSRS_RISK_SOURCE = (
    f"{COLUMBIA_TRIAGE}: no yes answers = none; yes to 1 or 2 only = low; yes to 3, or 6 "
    "without 6b = moderate; yes to 4 or 5, or 6 with 6b = high (immediate evaluation)"
)

_CSSRS_LABELS = {
    "1": "wished to be dead",
    "2": "actual thoughts of killing yourself",
    "3": "thought about how",
    "4": "any intention of acting",
    "5": "worked out details / intend to carry out",
    "6": "ever done, started or prepared anything to end your life",
    "6b": "was that within the past 3 months",
}

CSSRS_SCREENER = Instrument(
    code="cssrs_screener",
    name="C-SSRS screener",
    version="1",
    completed_by=CLINICIAN,
    items=(
        Item(key="1", label=_CSSRS_LABELS["1"], options=YES_NO),
        Item(key="2", label=_CSSRS_LABELS["2"], options=YES_NO),
        # "if no [to 2], go to 6"
        Item(key="3", label=_CSSRS_LABELS["3"], options=YES_NO, asked_if="2"),
        Item(key="4", label=_CSSRS_LABELS["4"], options=YES_NO, asked_if="2"),
        Item(key="5", label=_CSSRS_LABELS["5"], options=YES_NO, asked_if="2"),
        Item(key="6", label=_CSSRS_LABELS["6"], options=YES_NO),
        Item(key="6b", label=_CSSRS_LABELS["6b"], options=YES_NO, asked_if="6"),
    ),
    scoring=RISK_LEVEL,
    bands_source=CSSRS_RISK_SOURCE,
    safety_rules=(
        SafetyRule(
            code="cssrs_high",
            name="C-SSRS screener: high risk",
            levels=("high",),
            message=(
                "C-SSRS screener risk high: immediate evaluation by a prescriber is required."
            ),
            source=f"{COLUMBIA_TRIAGE}: yes to 4 or 5, or behaviour in the past 3 months, is "
            "high risk and needs immediate evaluation",
        ),
        SafetyRule(
            code="cssrs_moderate",
            name="C-SSRS screener: moderate risk",
            levels=("moderate",),
            message="C-SSRS screener risk moderate: a prescriber must assess and act.",
            source=f"{COLUMBIA_TRIAGE}: moderate risk needs a clinician's assessment",
        ),
    ),
    scoring_source=CSSRS_RISK_SOURCE,
    source=f"Columbia-Suicide Severity Rating Scale, screen version; {POSNER_2011}",
    licence="Free for clinical use with registration (verify): item names only; clinic loads "
    "its text",
    notes=(
        "Items 3-5 are asked only when item 2 is yes; item 6b only when item 6 is yes.",
        "Result is a risk level (none / low / moderate / high), not a total.",
    ),
)

# --- MOAA/S ------------------------------------------------------------------------------------

MOAAS = Instrument(
    code="moaas",
    name="MOAA/S",
    version="1",
    completed_by=CLINICIAN,
    items=(
        Item(
            key="1",
            label="responsiveness",
            # Only the two end anchors ship (Chernik et al. 1990); the others ship as numbers.
            options=_numbered(
                0, 5, {5: "responds readily to name", 0: "no response to trapezius squeeze"}
            ),
        ),
    ),
    scoring=SUM,
    domains=(("1",),),
    scoring_source="Chernik DA et al. J Clin Psychopharmacol 1990;10:244-251: one rating, 5 "
    "(awake) to 0 (unresponsive)",
    bands_source="Observer scale: the rating is read as is, without bands",
    source="Chernik DA et al. J Clin Psychopharmacol 1990;10:244-251",
    licence="Observer scale: level names only; load licensed text per clinic",
    notes=(
        "Lower is more sedated: 5 responds readily to name ... 0 no response to trapezius squeeze.",
    ),
)

INSTRUMENTS: dict[str, Instrument] = {
    i.code: i for i in (PHQ9, GAD7, QIDS_SR16, MADRS, PCL5, CADSS6, CSSRS_SCREENER, MOAAS)
}

# Safety alerts by code, with the name staff know them by.
SAFETY_ALERT_NAMES = {
    rule.code: rule.name or rule.code
    for instrument in INSTRUMENTS.values()
    for rule in instrument.safety_rules
}

# Response: 50% or more reduction from the course baseline.
RESPONSE_REDUCTION_PERCENT = 50
RESPONSE_SOURCE = (
    "50% or more reduction from the course baseline, the conventional definition (Rush AJ et al. "
    "Report by the ACNP Task Force on response and remission in major depressive disorder. "
    "Neuropsychopharmacology 2006;31:1841-1853)"
)

# Jacobson & Truax 1991 (J Consult Clin Psychol 59:12-19): |RCI| above 1.96 is reliable change.
RCI_CRITICAL_VALUE = Decimal("1.96")
RCI_SOURCE = "Jacobson NS, Truax P. J Consult Clin Psychol 1991;59:12-19"


class UnknownInstrument(KeyError):
    pass


def get_instrument(code: str) -> Instrument:
    try:
        return INSTRUMENTS[code]
    except KeyError:
        raise UnknownInstrument(code) from None
