"""Pure billing rules: exact money, estimate lines, infusion units, codes, sliding scale, disputes.

Money is Decimal, never float. Rounding, written down once (docs/billing.md repeats it):
- a line's total is quantity x unit price, rounded half-up to the cent, once per line;
- a line's discount is its total x discount percent / 100, rounded half-up to the cent;
- a subtotal is the exact sum of line totals, the discount the exact sum of line discounts,
  and the total is subtotal - discount: nothing is rounded twice, so totals always add up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from .definitions import (
    DIAGNOSIS_PATTERN,
    ESK_OVER_56,
    ESK_UP_TO_56,
    ESKETAMINE_PER_DEVICE,
    IV_ADDITIONAL_HOUR,
    IV_FIRST_HOUR,
    KETAMINE_PER_MG,
    SERVICES,
    EsketamineCodeRule,
    InfusionTimeRule,
)
from .poverty_guidelines import Guideline

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
PERCENT_DISPLAY_STEP = Decimal("0.1")

INFUSION = "infusion"
ESKETAMINE = "esketamine"
CPT_TIME_RULE = InfusionTimeRule()
G_CODE_RULE = EsketamineCodeRule()


def money(value) -> Decimal:
    """An amount in dollars, rounded half-up to the cent."""
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


# --- lines and totals ------------------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    """One fee-schedule entry as the rules need it."""

    service: str
    code: str
    description: str
    unit_price: Decimal
    discountable: bool = True


@dataclass(frozen=True)
class Line:
    """A billable quantity of one service at one unit price (an estimate line or a charge)."""

    service: str
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    discountable: bool = True
    phase: str = ""
    phase_name: str = ""

    @property
    def total(self) -> Decimal:
        return money(self.quantity * self.unit_price)


def line_discount(line: Line, discount_percent: Decimal) -> Decimal:
    if not line.discountable or not discount_percent:
        return ZERO
    return money(line.total * Decimal(discount_percent) / HUNDRED)


@dataclass(frozen=True)
class PricedLine:
    line: Line
    total: Decimal
    discount: Decimal


@dataclass(frozen=True)
class Totals:
    """Lines with their totals and discounts; total == subtotal - discount, exactly."""

    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    discount_percent: Decimal


def price_lines(lines: Iterable[Line], discount_percent: Decimal = ZERO) -> Totals:
    pct = Decimal(discount_percent)
    priced = tuple(PricedLine(line, line.total, line_discount(line, pct)) for line in lines)
    subtotal = sum((p.total for p in priced), ZERO)
    discount = sum((p.discount for p in priced), ZERO)
    return Totals(priced, subtotal, discount, subtotal - discount, pct)


# --- units and codes -------------------------------------------------------------------------


@dataclass(frozen=True)
class InfusionUnits:
    minutes: int
    initial: int
    additional: int
    warnings: tuple[str, ...] = ()


def infusion_units(minutes: int, rule: InfusionTimeRule = CPT_TIME_RULE) -> InfusionUnits:
    """Units of 96365 and 96366 for an infusion of `minutes` whole minutes (rounded down)."""
    minutes = int(minutes)
    if minutes < 0:
        raise ValueError("the infusion cannot end before it starts")
    if minutes <= rule.push_max_minutes:
        return InfusionUnits(
            minutes,
            0,
            0,
            (
                f"An infusion of {minutes} min is {rule.push_max_minutes} min or less: not "
                f"reportable as {rule.initial_code} ({rule.source}).",
            ),
        )
    beyond = minutes - rule.hour_minutes
    if beyond <= 0:
        return InfusionUnits(minutes, 1, 0)
    full_hours, rest = divmod(beyond, rule.hour_minutes)
    additional = full_hours + (1 if rest > rule.additional_more_than_minutes else 0)
    return InfusionUnits(minutes, 1, additional)


def esketamine_service(dose_mg: Decimal, rule: EsketamineCodeRule = G_CODE_RULE) -> str:
    """The session service for a dose: up to and including the limit, or above it."""
    return ESK_UP_TO_56 if Decimal(dose_mg) <= rule.up_to_mg else ESK_OVER_56


def devices_for(dose_mg: Decimal, device_mg: Decimal) -> int:
    """Whole devices needed for a dose (a partial device is still a device used)."""
    return int((Decimal(dose_mg) / Decimal(device_mg)).to_integral_value(ROUND_CEILING))


# --- one visit -> lines ------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """One planned or completed session, reduced to what billing needs."""

    kind: str  # INFUSION or ESKETAMINE
    dose_mg: Decimal | None
    duration_min: int | None = None
    devices: int | None = None
    device_mg: Decimal | None = None
    phase: str = ""
    phase_name: str = ""


@dataclass
class VisitLines:
    lines: list[Line] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _line(prices: Mapping[str, Price], service: str, quantity, visit: Visit, out: VisitLines):
    price = prices.get(service)
    if price is None:
        out.warnings.append(f"{SERVICES[service].label} has no price in the fee schedule.")
        return
    if Decimal(quantity) <= 0:
        return
    out.lines.append(
        Line(
            service=service,
            code=price.code,
            description=price.description,
            quantity=Decimal(quantity),
            unit_price=price.unit_price,
            discountable=price.discountable,
            phase=visit.phase,
            phase_name=visit.phase_name,
        )
    )


def visit_lines(
    visit: Visit,
    prices: Mapping[str, Price],
    *,
    infusion_rule: InfusionTimeRule = CPT_TIME_RULE,
    esketamine_rule: EsketamineCodeRule = G_CODE_RULE,
) -> VisitLines:
    """The codes, units and drug quantity of one session, priced from the fee schedule.

    A drug with no price is left out without a warning: many clinics include the drug in the
    session fee. A missing session code is warned about.
    """
    out = VisitLines()
    if visit.kind == INFUSION:
        if visit.duration_min is None:
            out.warnings.append("The infusion duration is unknown: no infusion units.")
        else:
            units = infusion_units(visit.duration_min, infusion_rule)
            out.warnings.extend(units.warnings)
            if units.initial:
                _line(prices, IV_FIRST_HOUR, units.initial, visit, out)
            if units.additional:
                _line(prices, IV_ADDITIONAL_HOUR, units.additional, visit, out)
        if visit.dose_mg is not None and KETAMINE_PER_MG in prices:
            _line(prices, KETAMINE_PER_MG, visit.dose_mg, visit, out)
        elif visit.dose_mg is None:
            out.warnings.append("The ketamine dose is unknown: no drug line.")
    elif visit.kind == ESKETAMINE:
        if visit.dose_mg is None:
            out.warnings.append("The esketamine dose is unknown: no session code.")
            return out
        _line(prices, esketamine_service(visit.dose_mg, esketamine_rule), 1, visit, out)
        devices = visit.devices
        if devices is None and visit.device_mg:
            devices = devices_for(visit.dose_mg, visit.device_mg)
        if devices and ESKETAMINE_PER_DEVICE in prices:
            _line(prices, ESKETAMINE_PER_DEVICE, devices, visit, out)
    else:
        raise ValueError(f"unknown visit kind {visit.kind!r}")
    return out


def group_lines(lines: Iterable[Line]) -> list[Line]:
    """One line per phase, service and unit price, quantities summed, in first-seen order."""
    grouped: dict[tuple, Line] = {}
    for line in lines:
        key = (line.phase, line.service, line.unit_price)
        found = grouped.get(key)
        if found is None:
            grouped[key] = line
        else:
            grouped[key] = Line(
                service=found.service,
                code=found.code,
                description=found.description,
                quantity=found.quantity + line.quantity,
                unit_price=found.unit_price,
                discountable=found.discountable,
                phase=found.phase,
                phase_name=found.phase_name,
            )
    return list(grouped.values())


@dataclass(frozen=True)
class Estimate:
    totals: Totals
    sessions: int
    sessions_by_phase: tuple[tuple[str, str, int], ...]
    warnings: tuple[str, ...]


def estimate(
    visits: Iterable[Visit],
    prices: Mapping[str, Price],
    *,
    discount_percent: Decimal = ZERO,
    extra_lines: Iterable[Line] = (),
    infusion_rule: InfusionTimeRule = CPT_TIME_RULE,
    esketamine_rule: EsketamineCodeRule = G_CODE_RULE,
) -> Estimate:
    """Itemized estimate of a course: each phase's sessions and codes, then any extra lines."""
    visits = list(visits)
    lines: list[Line] = []
    warnings: list[str] = []
    phases: dict[str, list] = {}
    for visit in visits:
        found = visit_lines(
            visit, prices, infusion_rule=infusion_rule, esketamine_rule=esketamine_rule
        )
        lines.extend(found.lines)
        for warning in found.warnings:
            if warning not in warnings:
                warnings.append(warning)
        phases.setdefault(visit.phase, [visit.phase_name, 0])[1] += 1
    totals = price_lines([*group_lines(lines), *extra_lines], discount_percent)
    return Estimate(
        totals=totals,
        sessions=len(visits),
        sessions_by_phase=tuple((code, name, n) for code, (name, n) in phases.items()),
        warnings=tuple(warnings),
    )


# --- sliding scale -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleBand:
    """Incomes at or below max_percent of the guideline (None: every income above the last)."""

    max_percent: Decimal | None
    discount_percent: Decimal


def band_label(bands: list[ScaleBand], index: int) -> str:
    band = bands[index]
    low = bands[index - 1].max_percent if index > 0 else None
    if band.max_percent is None:
        return f"above {_pct(low)}" if low is not None else "any income"
    if low is None:
        return f"at or below {_pct(band.max_percent)}"
    return f"above {_pct(low)} and at or below {_pct(band.max_percent)}"


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def validate_bands(bands: list[ScaleBand]) -> list[str]:
    """What is wrong with a clinic's table (empty list = usable)."""
    problems = []
    if not bands:
        return ["The table needs at least one band."]
    previous = None
    for i, band in enumerate(bands, start=1):
        if not ZERO <= Decimal(band.discount_percent) <= HUNDRED:
            problems.append(f"Band {i}: the discount must be between 0 and 100%.")
        last = i == len(bands)
        if band.max_percent is None:
            if not last:
                problems.append(f"Band {i}: only the last band may be open-ended.")
            continue
        if band.max_percent <= 0:
            problems.append(f"Band {i}: the upper limit must be above 0%.")
        if previous is not None and band.max_percent <= previous:
            problems.append(f"Band {i}: upper limits must increase from band to band.")
        previous = band.max_percent
    if bands[-1].max_percent is not None:
        problems.append("The last band must be open-ended (every income above the others).")
    return problems


def guideline_amount(guideline: Guideline, household_size: int) -> Decimal:
    """100% of the guideline for a household: first person + each additional person."""
    if household_size < 1:
        raise ValueError("a household has at least one person")
    return guideline.first_person + guideline.each_additional * (household_size - 1)


@dataclass(frozen=True)
class ScaleResult:
    guideline: Guideline
    guideline_amount: Decimal
    percent: Decimal  # for display only: rounded UP to 0.1 so it never reads below a limit
    band_index: int
    band: str
    discount_percent: Decimal
    rule: str


def sliding_scale(
    annual_income: Decimal, household_size: int, guideline: Guideline, bands: list[ScaleBand]
) -> ScaleResult:
    """The band of the clinic's table an income falls in, compared exactly at each limit.

    Income is compared as income x 100 <= limit x guideline, never through a rounded percent,
    so an income of exactly 200% of the guideline is in the "at or below 200%" band.
    """
    problems = validate_bands(bands)
    if problems:
        raise ValueError(" ".join(problems))
    income = Decimal(annual_income)
    if income < 0:
        raise ValueError("income cannot be negative")
    amount = guideline_amount(guideline, household_size)
    index = next(
        i
        for i, band in enumerate(bands)
        if band.max_percent is None or income * HUNDRED <= band.max_percent * amount
    )
    percent = (income * HUNDRED / amount).quantize(PERCENT_DISPLAY_STEP, ROUND_CEILING)
    band = band_label(bands, index)
    discount = Decimal(bands[index].discount_percent)
    people = "person" if household_size == 1 else "people"
    rule = (
        f"Household of {household_size} {people}, annual income ${income:,.2f} = {percent}% of "
        f"the {guideline.year} poverty guideline (${amount:,.0f}; {guideline.source}); "
        f"band {band}: {discount.normalize():f}% discount."
    )
    return ScaleResult(guideline, amount, percent, index, band, discount, rule)


# --- disputes and balances ---------------------------------------------------------------------


@dataclass(frozen=True)
class DisputeCheck:
    estimated: Decimal
    charged: Decimal
    difference: Decimal
    threshold: Decimal
    exceeds: bool


def dispute_check(estimated: Decimal, charged: Decimal, threshold: Decimal) -> DisputeCheck:
    """Charges at least `threshold` above the Good Faith Estimate are open to dispute."""
    difference = Decimal(charged) - Decimal(estimated)
    return DisputeCheck(
        Decimal(estimated), Decimal(charged), difference, threshold, difference >= threshold
    )


@dataclass(frozen=True)
class Account:
    charged: Decimal
    discounts: Decimal
    net: Decimal
    paid: Decimal
    balance: Decimal


def account(charges: Iterable[tuple[Decimal, Decimal]], payments: Iterable[Decimal]) -> Account:
    """Totals of (amount, discount) charges and payments; balance = net charges - payments."""
    charges = list(charges)
    charged = sum((Decimal(a) for a, _ in charges), ZERO)
    discounts = sum((Decimal(d) for _, d in charges), ZERO)
    paid = sum((Decimal(p) for p in payments), ZERO)
    net = charged - discounts
    return Account(charged, discounts, net, paid, net - paid)


def diagnosis_code_problem(code: str) -> str | None:
    """None when the code is an ICD-10-CM F32.x / F33.x code, else what is wrong."""
    if not re.match(DIAGNOSIS_PATTERN, (code or "").strip().upper()):
        return "must be an ICD-10-CM code of the form F32.x or F33.x (for example F33.2)"
    return None
