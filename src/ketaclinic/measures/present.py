"""Shapes for readers: instrument definitions (rules in words and as data, with sources) and a
patient's scores as the API answers them."""

from __future__ import annotations

from django.utils import timezone

from ketaclinic.measures.instruments import (
    CSSRS_RISK_RULES,
    CSSRS_RISK_SOURCE,
    RESPONSE_REDUCTION_PERCENT,
    RESPONSE_SOURCE,
    RISK_LEVEL,
    Instrument,
    Item,
)

SUM_OF_DOMAIN_MAXIMA = "sum_of_domain_maxima"


def item_list(keys) -> str:
    """'1-4' for consecutive numbered items, '6, 8' otherwise, '6b' kept as is."""
    keys = list(keys)
    if len(keys) > 2 and all(k.isdigit() for k in keys):
        numbers = [int(k) for k in keys]
        if numbers == list(range(numbers[0], numbers[-1] + 1)):
            return f"{numbers[0]}-{numbers[-1]}"
    return ", ".join(keys)


def _requirement(instrument: Instrument, item: Item) -> str:
    group = instrument.either_or_group(item.key)
    if group is not None:
        return f"one of items {' or '.join(group.items)}"
    if item.asked_if:
        return f"if item {item.asked_if} is yes"
    return "required" if item.required else "optional"


def _item(instrument: Instrument, item: Item) -> dict:
    # Item text leaves only where the licence lets it ship; a clinic's loaded text never does.
    ships = instrument.ships_item_text
    return {
        "number": item.key,
        "name": item.label,
        "text": item.text if ships else None,
        "range": {"min": item.min_value, "max": item.max_value},
        "scored": item.scored,
        "answer": _requirement(instrument, item),
        "options": [{"value": o.value, "label": o.label} for o in item.options],
    }


def _clause(clause: tuple[str, ...]) -> str:
    parts = [f"no to {lit[1:]}" if lit.startswith("!") else f"yes to {lit}" for lit in clause]
    return " and ".join(parts)


def _scoring(instrument: Instrument) -> dict:
    if instrument.scoring == RISK_LEVEL:
        levels = [
            {"level": level, "when_any": [_clause(c) for c in clauses]}
            for level, clauses in CSSRS_RISK_RULES
        ]
        levels.append({"level": "none", "when_any": ["no yes answers"]})
        words = "A risk level, not a total: " + "; ".join(
            f"{row['level']} when {' or '.join(row['when_any'])}" for row in levels
        )
        return {
            "method": RISK_LEVEL,
            "in_words": words + ". The first level that holds, from the top, is the result.",
            "total_range": None,
            "domains": [],
            "either_or": [],
            "risk_levels": levels,
            "source": instrument.scoring_source or CSSRS_RISK_SOURCE,
        }
    domains = [{"name": name, "items": list(keys)} for name, keys in instrument.named_domains]
    multi = [d for d in domains if len(d["items"]) > 1]
    if multi:
        parts = [
            f"{d['name']} (items {item_list(d['items'])})" if len(d["items"]) > 1 else d["items"][0]
            for d in domains
        ]
        words = (
            f"Total = sum over {len(domains)} domains of each domain's highest answered item: "
            + ", ".join(parts)
        )
    else:
        words = f"Total = sum of items {item_list(d['items'][0] for d in domains)}"
    words += f"; range {instrument.min_total}-{instrument.max_total}."
    unscored = [i.key for i in instrument.items if not i.scored]
    if unscored:
        words += f" Item {', '.join(unscored)} is not scored."
    either_or = [
        {"items": list(g.items), "name": g.name, "rule": g.describe(), "source": g.source}
        for g in instrument.either_or
    ]
    for g in either_or:
        words += f" Either-or: {g['rule']}."
    return {
        "method": SUM_OF_DOMAIN_MAXIMA,
        "in_words": words,
        "total_range": {"min": instrument.min_total, "max": instrument.max_total},
        "domains": domains,
        "either_or": either_or,
        "risk_levels": None,
        "source": instrument.scoring_source,
    }


def _safety_item(instrument: Instrument, rule) -> dict:
    if rule.item is not None:
        what = f"item {rule.item} at {rule.min_value} or above"
    else:
        what = f"risk level {' or '.join(rule.levels)}"
    return {
        "code": rule.code,
        "item": rule.item,
        "threshold": rule.min_value,
        "levels": list(rule.levels),
        "in_words": f"{instrument.name} {what} raises an alert that a {rule.must_act} must "
        "acknowledge with the action taken",
        "must_act": rule.must_act,
        "source": rule.source,
    }


def _outcome(instrument: Instrument) -> tuple[dict | None, dict | None]:
    if not instrument.tracks_outcome:
        return None, None
    remission = None
    if instrument.remission is not None:
        r = instrument.remission
        remission = {
            "operator": r.operator,
            "value": r.value,
            "in_words": f"Remission: total {r.describe()}",
            "source": r.source,
        }
    response = {
        "reduction_percent": RESPONSE_REDUCTION_PERCENT,
        "in_words": f"Response: total {RESPONSE_REDUCTION_PERCENT}% or more below the course "
        "baseline",
        "source": RESPONSE_SOURCE,
    }
    return remission, response


def instrument(instrument: Instrument) -> dict:
    """Everything a reader needs to use or check an instrument (GET /api/v1/instruments)."""
    remission, response = _outcome(instrument)
    return {
        "code": instrument.code,
        "name": instrument.name,
        "version": instrument.version,
        "completed_by": instrument.completed_by,
        "item_text_ships": instrument.ships_item_text,
        "instructions": instrument.instructions if instrument.ships_item_text else None,
        "items": [_item(instrument, i) for i in instrument.items],
        "scoring": _scoring(instrument),
        "bands": [{"low": b.low, "high": b.high, "label": b.label} for b in instrument.bands],
        "bands_source": instrument.bands_source,
        "safety_items": [_safety_item(instrument, r) for r in instrument.safety_rules],
        "remission": remission,
        "response": response,
        "loinc": {"panel": instrument.loinc_panel, "total": instrument.loinc_total},
        "source": instrument.source,
        "licence": instrument.licence,
        "notes": list(instrument.notes),
        "translations": [
            {"language": t.language, "source": t.source} for t in instrument.translations
        ],
    }


# --- a patient's scores ------------------------------------------------------------------------


def referral(response, tz) -> dict | None:
    """Where a referral's score came from and whether a clinician has confirmed it."""
    if not response.is_referral:
        return None
    confirmer = response.referral_confirmed_by
    return {
        "organisation": response.referral_organisation,
        "reference": response.referral_ref,
        "observed_on": timezone.localdate(response.administered_at, tz),
        "confirmed": response.referral_confirmed_at is not None,
        "confirmed_at": response.referral_confirmed_at,
        "confirmed_by": confirmer.display_name if confirmer else None,
    }


def measure_row(row, tz) -> dict:
    """One score of GET /patients/{id}/measures, with its change against the course baseline."""
    response = row.response
    return {
        "id": row.id,
        "instrument": response.instrument,
        "administered_at": response.administered_at,
        "source": response.source,
        "source_label": response.get_source_display(),
        "referral": referral(response, tz),
        "answers": response.answers,
        "total": row.total,
        "severity": row.severity,
        "is_baseline": row.is_baseline,
        "baseline": row.baseline,
        "change_from_baseline": row.outcome.change_from_baseline,
        "percent_change": row.outcome.percent_change,
        "response": row.outcome.response,
        "remission": row.outcome.remission,
        "reliable_change_index": row.outcome.rci,
        "reliable_change": row.outcome.reliable_change,
        "alerts": [{"code": a.code, "message": a.message} for a in row.alerts],
    }
