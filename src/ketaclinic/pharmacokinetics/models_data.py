"""The published pharmacokinetic models, as data: parameters, units, covariates, validity, sources.

No Django models live here (the app has no tables). Every number names where it comes from;
docs/pharmacokinetics.md gives the equations and the checks made against each paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Citation:
    authors: str
    year: int
    title: str
    journal: str
    volume: str
    pages: str
    pmid: str = ""
    doi: str = ""

    def text(self) -> str:
        ids = "; ".join(
            part for part in (f"PMID {self.pmid}" if self.pmid else "", self.doi) if part
        )
        base = (
            f"{self.authors}. {self.title}. {self.journal} {self.year};{self.volume}:{self.pages}."
        )
        return f"{base} {ids}".strip()


@dataclass(frozen=True)
class Parameter:
    name: str
    value: float
    unit: str
    meaning: str
    source: str


@dataclass(frozen=True)
class Covariate:
    name: str
    unit: str
    effect: str


@dataclass(frozen=True)
class Validity:
    """The population the model was built from. None: not established from the sources."""

    population: str
    age_years: tuple[float, float] | None = None
    weight_kg: tuple[float, float] | None = None
    # Shown with every prediction: the population differs from a ketamine clinic's patients.
    always_warn: str = ""


@dataclass(frozen=True)
class PKModel:
    code: str
    name: str
    drug: str
    structure: str  # "mammillary" or "hepatoportal_nasal" (see rules.py)
    compartments: int
    routes: tuple[str, ...]
    citation: Citation
    parameters: tuple[Parameter, ...]
    covariates: tuple[Covariate, ...]
    validity: Validity
    provenance: str
    limits: tuple[str, ...] = field(default_factory=tuple)
    device_mg: float | None = None  # intranasal: the device the model was estimated for

    def value(self, name: str) -> float:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter.value
        raise KeyError(name)

    @property
    def has_effect_site(self) -> bool:
        return any(p.name == "ke0" for p in self.parameters)


OPENTIVA = "open-source TCI library opentiva (module ketamine, class {cls})"
_CLEMENTS = OPENTIVA.format(cls="Clements250")
_DOMINO = OPENTIVA.format(cls="Domino")
_HIJAZI = OPENTIVA.format(cls="Hijazi")


def _rate(name, value, meaning, source):
    return Parameter(name, value, "1/min", meaning, source)


def _racemic_iv(*, v1_l_per_kg: float, source: str, rates: tuple, **details) -> PKModel:
    """A mammillary model of racemic ketamine given intravenously, its central volume (V1)
    scaled by body weight."""
    v1 = Parameter("V1", v1_l_per_kg, "L/kg", "central volume per kg of body weight", source)
    return PKModel(
        drug="ketamine (racemic)",
        structure="mammillary",
        routes=("iv",),
        parameters=(v1, *rates),
        covariates=(Covariate("weight_kg", "kg", f"V1 = {v1_l_per_kg:g} L/kg x weight"),),
        **details,
    )


CLEMENTS_1981 = _racemic_iv(
    code="clements_1981",
    name="Clements 1981, racemic ketamine, 250 µg/kg bolus data",
    compartments=2,
    citation=Citation(
        authors="Clements JA, Nimmo WS",
        year=1981,
        title="Pharmacokinetics and analgesic effect of ketamine in man",
        journal="Br J Anaesth",
        volume="53",
        pages="27-30",
        pmid="7459184",
        doi="10.1093/bja/53.1.27",
    ),
    v1_l_per_kg=1.7522,
    source=_CLEMENTS,
    rates=(
        _rate("k10", 0.0109, "elimination from the central compartment", _CLEMENTS),
        _rate("k12", 0.0186, "central to peripheral", _CLEMENTS),
        _rate("k21", 0.0137, "peripheral to central", _CLEMENTS),
    ),
    validity=Validity(
        population="Adults given racemic ketamine 250 µg/kg as an intravenous bolus (the "
        "paper's 250 µg/kg data set). The ages and weights studied could not be confirmed "
        "from the sources reached.",
    ),
    provenance="Rate constants and V1 of the 250 µg/kg bolus data set of Clements and Nimmo "
    "(1981) as published in the open-source TCI library opentiva (class Clements250); the "
    "paper's own tables were not reached to re-derive them.",
    limits=(
        "Derived from bolus data; an infusion over 40 to 60 minutes extrapolates the model.",
        "No effect-site rate constant (ke0) was published with this data set: no "
        "effect-site curve.",
    ),
)

DOMINO_1982 = _racemic_iv(
    code="domino_1982",
    name="Domino 1982, racemic ketamine, surgical patients",
    compartments=3,
    citation=Citation(
        authors="Domino EF, Zsigmond EK, Domino LE, et al.",
        year=1982,
        title="Plasma levels of ketamine and two of its metabolites in surgical patients "
        "using a gas chromatographic mass fragmentographic assay",
        journal="Anesth Analg",
        volume="61",
        pages="87-92",
        pmid="7198883",
    ),
    v1_l_per_kg=0.063,
    source=_DOMINO,
    rates=(
        _rate("k10", 0.4381, "elimination from the central compartment", _DOMINO),
        _rate("k12", 0.5921, "central to fast peripheral", _DOMINO),
        _rate("k13", 0.5900, "central to slow peripheral", _DOMINO),
        _rate("k21", 0.2470, "fast peripheral to central", _DOMINO),
        _rate("k31", 0.0146, "slow peripheral to central", _DOMINO),
        _rate(
            "ke0",
            0.652,
            "plasma to effect site",
            "opentiva (class Domino), which derives it from an assumed time to peak "
            "effect-site concentration of 1 minute after a bolus; not measured by Domino",
        ),
    ),
    validity=Validity(
        population="Adult surgical patients given racemic ketamine intravenously for "
        "anaesthesia (per the paper's title). The ages and weights studied could not be "
        "confirmed from the sources reached.",
    ),
    provenance="Rate constants and V1 as published in the open-source TCI library opentiva "
    "(class Domino, citing PMID 7198883); ke0 is the library's value for an assumed 1-minute "
    "time to peak effect, not a measured one.",
    limits=(
        "Anaesthetic doses in surgical patients; sub-anaesthetic infusions extrapolate it.",
        "The effect-site curve rests on an assumed, not measured, ke0.",
    ),
)

HIJAZI_2003 = _racemic_iv(
    code="hijazi_2003",
    name="Hijazi 2003, racemic ketamine, intensive care patients",
    compartments=2,
    citation=Citation(
        authors="Hijazi Y, Bodonian C, Bolon M, Salord F, Boulieu R",
        year=2003,
        title="Pharmacokinetics and haemodynamics of ketamine in intensive care patients "
        "with brain or spinal cord injury",
        journal="Br J Anaesth",
        volume="90",
        pages="155-160",
        pmid="12538370",
        doi="10.1093/bja/aeg028",
    ),
    v1_l_per_kg=1.08,
    source=_HIJAZI,
    rates=(
        _rate("k10", 0.0333, "elimination from the central compartment", _HIJAZI),
        _rate("k12", 0.0088, "central to peripheral", _HIJAZI),
        _rate("k21", 0.0030, "peripheral to central", _HIJAZI),
    ),
    validity=Validity(
        population="12 intensive care patients with brain or spinal cord injury, sedated with "
        "racemic ketamine by continuous intravenous infusion (the paper's abstract).",
        always_warn="Hijazi 2003 studied 12 intensive care patients with brain or spinal cord "
        "injury; the paper reports a longer half-life (4.9 h) than in healthy volunteers and "
        "surgical patients. An outpatient is outside the population of this model.",
    ),
    provenance="V1 and rate constants as published in the open-source TCI library opentiva "
    "(class Hijazi). They reproduce the paper's abstract: clearance 1.08 x 0.0333 = 36.0 "
    "mL/min/kg (abstract: 36.0) and terminal half-life 4.9 h (abstract: 4.9 h).",
    limits=(
        "Critically ill patients with brain or spinal cord injury, not outpatients.",
        "No effect-site rate constant published: no effect-site curve.",
    ),
)

_PR = "Perez-Ruixo 2021, Table 3"
PEREZ_RUIXO_2021 = PKModel(
    code="perez_ruixo_2021",
    name="Perez-Ruixo 2021, esketamine nasal spray, population model",
    drug="esketamine",
    structure="hepatoportal_nasal",
    compartments=3,
    routes=("intranasal",),
    device_mg=28.0,
    citation=Citation(
        authors="Perez-Ruixo C, Rossenu S, Zannikos P, Nandy P, Singh J, Drevets WC, "
        "Perez-Ruixo JJ",
        year=2021,
        title="Population pharmacokinetics of esketamine nasal spray and its metabolite "
        "noresketamine in healthy subjects and patients with treatment-resistant depression",
        journal="Clin Pharmacokinet",
        volume="60",
        pages="501-516",
        pmid="33128208",
        doi="10.1007/s40262-020-00953-4",
    ),
    parameters=(
        Parameter(
            "FRn", 0.54, "fraction", "share of a 28 mg device absorbed through the nose", _PR
        ),
        Parameter(
            "FRn_next_device",
            0.62,
            "factor",
            "FRn multiplier for the second and later devices of one nasal dose",
            f"{_PR} (dose effect on FRn)",
        ),
        Parameter("ka_n", 2.93, "1/h", "nasal absorption rate constant", _PR),
        Parameter("Dsw", 0.53, "h", "duration of zero-order release of the swallowed part", _PR),
        Parameter("ka_sw", 1.45, "1/h", "absorption rate of the swallowed part", _PR),
        Parameter("Fgut", 0.64, "fraction", "swallowed part escaping intestinal metabolism", _PR),
        Parameter("Vc", 192.0, "L", "central volume", _PR),
        Parameter("Q1", 84.3, "L/h", "clearance to the shallow peripheral compartment", _PR),
        Parameter("Vp1", 143.0, "L", "shallow peripheral volume", _PR),
        Parameter("Q2", 37.6, "L/h", "clearance to the deep peripheral compartment", _PR),
        Parameter("Vp2", 417.0, "L", "deep peripheral volume", _PR),
        Parameter("Qh", 151.0, "L/h", "hepatic blood flow", _PR),
        Parameter("Qh_age", 2.19, "L/h per year", "decrease of Qh per year of age above 60", _PR),
        Parameter("Vh", 101.0, "L", "hepato-portal volume", _PR),
        Parameter("kel", 1.11, "1/h", "hepatic elimination to other metabolites", _PR),
        Parameter("kmet", 2.77, "1/h", "hepatic metabolism to noresketamine", _PR),
        Parameter("kel_asian", 0.36, "factor", "kel multiplier for Asian ancestry", _PR),
        Parameter("FRn_japanese", 1.34, "factor", "FRn multiplier for Japanese ancestry", _PR),
    ),
    covariates=(
        Covariate("age_years", "years", "Qh = 151 - 2.19 x (age - 60) L/h above 60 years"),
        Covariate("ancestry", "", "Asian: kel x 0.36; Japanese: also FRn x 1.34"),
    ),
    validity=Validity(
        population="820 healthy subjects and patients with treatment-resistant depression "
        "from 13 studies; intranasal doses 14-112 mg (Table 2).",
        age_years=(18.0, 86.0),
        weight_kg=(39.0, 170.0),
    ),
    provenance="Typical values of the final model, Table 3 of the paper (as transcribed, with "
    "their table locations, in the nlmixr2lib model library). Sex, body weight and disease "
    "state were tested and had no relevant effect, so weight only checks validity.",
    limits=(
        "Typical (median) values: between-patient variability is large (e.g. 70.8% on FRn "
        "and 120% on kel, Table 3) and is not simulated.",
        "Every nasal device of one request counts as one nasal dose: the first device gets "
        "FRn, later ones FRn x 0.62.",
        "The noresketamine metabolite is not simulated.",
    ),
)

MODELS: dict[str, PKModel] = {
    m.code: m for m in (CLEMENTS_1981, DOMINO_1982, HIJAZI_2003, PEREZ_RUIXO_2021)
}
