"""Clinic configuration: payer checklists and the REMS certification (audited)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ketaclinic.audit.services import record_event, update_clinic_settings
from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.permissions import require

from .. import queries, rules
from ..definitions import EXAMPLE_CRITERIA, EXAMPLE_SOURCE
from ..models import AuthorizationSettings, PayerChecklist, PayerCriterion
from .common import _not_future, _raise, _text


def _criteria_rows(criteria: list[dict], errors: dict) -> list[rules.Criterion]:
    rows = []
    if not criteria:
        errors["criteria"] = "at least one criterion"
    for i, item in enumerate(criteria):
        kind = str(item.get("kind") or "")
        label = str(item.get("label") or "").strip()
        params = item.get("params") or {}
        if not label:
            errors[f"criteria.{i}.label"] = "required"
        elif len(label) > 300:
            errors[f"criteria.{i}.label"] = "at most 300 characters"
        if not isinstance(params, dict):
            errors[f"criteria.{i}.params"] = "an object"
            continue
        for name, message in rules.criterion_problems(kind, params).items():
            errors[f"criteria.{i}.{name}"] = message
        rows.append(rules.Criterion(kind, label, params))
    return rows


def save_checklist(
    *,
    actor,
    payer_name: str,
    source: str,
    criteria: list[dict],
    note: str = "",
    checklist: PayerChecklist | None = None,
) -> PayerChecklist:
    """Create a payer's checklist, or replace an existing one's rows (a checklist is data the
    clinic keeps in step with the payer's policy)."""
    require(actor, "authorization.configure")
    errors: dict[str, str] = {}
    payer_name = _text(payer_name, "payer_name", errors, limit=200, required=True)
    source = _text(source, "source", errors, limit=2000, required=True)
    note = _text(note, "note", errors, limit=4000)
    rows = _criteria_rows(list(criteria or []), errors)
    _raise(errors)
    try:
        with transaction.atomic():
            if checklist is None:
                row = PayerChecklist.objects.create(
                    clinic_id=actor.clinic_id,
                    payer_name=payer_name,
                    source=source,
                    note=note,
                    updated_by=actor,
                )
                before = []
            else:
                row = PayerChecklist.objects.select_for_update().get(
                    pk=checklist.pk, clinic_id=actor.clinic_id
                )
                before = [c.label for c in row.criteria.all()]
                row.payer_name, row.source, row.note, row.updated_by = (
                    payer_name,
                    source,
                    note,
                    actor,
                )
                row.save()
                row.criteria.all().delete()
            PayerCriterion.objects.bulk_create(
                PayerCriterion(
                    clinic_id=actor.clinic_id,
                    checklist=row,
                    position=i,
                    kind=c.kind,
                    label=c.label,
                    params=rules.with_defaults(c.kind, c.params),
                )
                for i, c in enumerate(rows, start=1)
            )
            record_event(
                actor=actor,
                action="authorization.checklist_saved",
                obj=row,
                clinic=actor.clinic,
                changes={
                    "payer": payer_name,
                    "criteria": {"from": before, "to": [c.label for c in rows]},
                },
            )
    except IntegrityError as exc:
        raise InvalidInput(
            f"The clinic already keeps a checklist for {payer_name}.",
            fields={"payer_name": "already has a checklist"},
        ) from exc
    return row


def copy_example_checklist(*, actor, payer_name: str) -> PayerChecklist:
    """A payer's checklist started from the shipped example, to adapt to its policy."""
    return save_checklist(
        actor=actor,
        payer_name=payer_name,
        source=EXAMPLE_SOURCE,
        note="Copied from the example checklist: adapt the rows to this payer's current policy "
        "and name that policy as the source.",
        criteria=[{"kind": c.kind, "label": c.label, "params": c.params} for c in EXAMPLE_CRITERIA],
    )


def update_settings(*, actor, **changes) -> AuthorizationSettings:
    """Record the clinic's Spravato REMS certification or when expiry warnings start."""
    require(actor, "authorization.configure")
    errors = dict.fromkeys(set(changes) - set(AuthorizationSettings.EDITABLE_FIELDS), "unknown")
    today = queries.clinic_today(actor.clinic)
    if "site_rems_reference" in changes:
        changes["site_rems_reference"] = _text(
            changes["site_rems_reference"], "site_rems_reference", errors, limit=100
        )
    _not_future(changes.get("site_rems_certified_on"), "site_rems_certified_on", errors, today)
    days = changes.get("expiry_warning_days")
    if "expiry_warning_days" in changes and (
        isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 120
    ):
        errors["expiry_warning_days"] = "a whole number of days from 1 to 120"
    _raise(errors)
    return update_clinic_settings(
        AuthorizationSettings, actor=actor, values=changes, action="authorization.settings_changed"
    )
