"""The shape of a rating scale as data: items, options, bands, either-or pairs, safety rules,
remission and reliable change. instruments.py holds the eight definitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

PATIENT = "patient"
CLINICIAN = "clinician"

SUM = "sum"  # sum over scoring domains, each domain scoring its highest item
RISK_LEVEL = "risk_level"  # C-SSRS screener: a risk level instead of a total


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    """One question; `text` is the published wording, None where the licence forbids shipping it."""

    key: str
    label: str
    options: tuple[Option, ...]
    text: str | None = None
    scored: bool = True
    required: bool = True
    # C-SSRS skip logic: only asked (and then required) when this other item was answered yes.
    asked_if: str | None = None

    @property
    def min_value(self) -> int:
        return min(o.value for o in self.options)

    @property
    def max_value(self) -> int:
        return max(o.value for o in self.options)

    @property
    def values(self) -> frozenset[int]:
        return frozenset(o.value for o in self.options)


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class EitherOr:
    """Items of which the patient answers one or more: the printed form says "either ... or".

    A response with none of them answered is incomplete; with several, the scoring domain takes
    the highest answered."""

    items: tuple[str, ...]
    name: str
    source: str

    def describe(self) -> str:
        return f"answer item {' or item '.join(self.items)} ({self.name}); one is enough"


@dataclass(frozen=True)
class SafetyRule:
    """A condition raising a clinician alert that must be acknowledged (never auto-dismissed)."""

    code: str
    message: str  # may use {value} (item answer) or {level} (risk level)
    source: str
    # What staff call the alert in lists ("PHQ-9 item 9"); the code is for machines.
    name: str = ""
    item: str | None = None
    min_value: int | None = None
    levels: tuple[str, ...] = ()
    must_act: str = "prescriber"


@dataclass(frozen=True)
class Remission:
    operator: str  # "<" or "<="
    value: int
    source: str
    verify: bool = False

    def describe(self) -> str:
        return f"{'below' if self.operator == '<' else 'at or below'} {self.value}"


@dataclass(frozen=True)
class ReliableChangeData:
    """Jacobson-Truax reliable change inputs; a missing value means the RCI is not computed."""

    reliability: Decimal | None
    reliability_source: str
    sd: Decimal | None
    sd_source: str
    verify: bool = True


@dataclass(frozen=True)
class ItemText:
    """One item's published wording in a translation: its text and its answers' labels in the
    order of the item's values."""

    text: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Translation:
    """An instrument's published wording in another language.

    Only the words change: item keys, answer values, scoring and safety rules stay the
    instrument's own, so a Spanish answer scores and alerts exactly as the English one."""

    language: str
    instructions: str
    items: Mapping[str, ItemText]
    source: str


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    version: str
    completed_by: str
    items: tuple[Item, ...]
    scoring: str
    source: str
    licence: str
    # Scoring domains: the total is the sum of each domain's highest item (one item per domain
    # for a plain sum; QIDS-SR16 groups sleep, appetite/weight and psychomotor items).
    domains: tuple[tuple[str, ...], ...] = ()
    # Names of the multi-item domains as (first item, name); a one-item domain is named by its
    # item.
    domain_names: tuple[tuple[str, str], ...] = ()
    either_or: tuple[EitherOr, ...] = ()
    scoring_source: str = ""
    bands: tuple[Band, ...] = ()
    bands_source: str = ""
    safety_rules: tuple[SafetyRule, ...] = ()
    remission: Remission | None = None
    reliable_change: ReliableChangeData | None = None
    # Response / remission / percent change only mean something for symptom-severity scales.
    tracks_outcome: bool = False
    loinc_panel: str | None = None
    loinc_total: str | None = None
    instructions: str | None = None
    ships_item_text: bool = False
    notes: tuple[str, ...] = field(default=())
    # Published translations that ship with the instrument (licence permitting); a clinic loads
    # other licensed translations as it loads licensed English text.
    translations: tuple[Translation, ...] = ()

    @property
    def item_keys(self) -> tuple[str, ...]:
        return tuple(i.key for i in self.items)

    def item(self, key: str) -> Item:
        return next(i for i in self.items if i.key == key)

    def translation(self, language: str) -> Translation | None:
        return next((t for t in self.translations if t.language == language), None)

    def either_or_group(self, key: str) -> EitherOr | None:
        return next((g for g in self.either_or if key in g.items), None)

    @property
    def named_domains(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        names = dict(self.domain_names)
        return tuple((names.get(d[0]) or self.item(d[0]).label, d) for d in self.domains)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.scored)

    @property
    def min_total(self) -> int | None:
        if self.scoring != SUM:
            return None
        return sum(min(self.item(k).min_value for k in d) for d in self.domains)

    @property
    def max_total(self) -> int | None:
        if self.scoring != SUM:
            return None
        return sum(max(self.item(k).max_value for k in d) for d in self.domains)


def options_from(labels) -> tuple[Option, ...]:
    return tuple(Option(value=v, label=label) for v, label in enumerate(labels))


def numbered(low: int, high: int, anchors: dict[int, str] | None = None) -> tuple[Option, ...]:
    anchors = anchors or {}
    return tuple(
        Option(value=v, label=f"{v} \u2013 {anchors[v]}" if v in anchors else str(v))
        for v in range(low, high + 1)
    )


def one_item_domains(keys) -> tuple[tuple[str, ...], ...]:
    return tuple((k,) for k in keys)


YES_NO = (Option(0, "No"), Option(1, "Yes"))
