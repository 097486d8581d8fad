"""The ledger heads that `backup` saves and `restore` checks, read through the inventory app.

Read-only. The chains are verified with `inventory.queries.verify_clinic_chain`, the same check
`ketaclinic verify_ledger` runs; heads come from `inventory.queries.ledger_heads`.
"""

from ketaclinic.core.models import Clinic
from ketaclinic.inventory.queries import (
    head_of,
    ledger_heads,
    verify_clinic_chain,
    verify_clinic_ledger,
)


def _ledger_clinics() -> list[Clinic]:
    return list(Clinic.objects.filter(pk__in=ledger_heads()).order_by("slug"))


def _sequence(clinic_id) -> int:
    return int(ledger_heads().get(clinic_id, (0, ""))[0])


def saved_heads() -> dict[str, dict]:
    """Each clinic's head (sequence and hash) and whether its chain verifies, by clinic slug."""
    heads = {}
    for clinic in _ledger_clinics():
        verdict = verify_clinic_chain(clinic.pk)
        heads[clinic.slug] = {
            "clinic_id": str(clinic.pk),
            "sequence": _sequence(clinic.pk),
            "hash": head_of(clinic.pk),
            "entries": verdict.entries,
            "verified": verdict.valid,
        }
    return heads


def head_problems(saved: dict[str, dict], checkpoint_key: bytes | None = None) -> list[str]:
    """Verify every restored chain against the head saved in the backup; [] when all agree.

    With the backup's checkpoint key, each chain is also checked against its latest signed
    checkpoint and its audit trail (as `verify_ledger --full` does)."""
    problems = []
    restored = {clinic.slug: clinic for clinic in _ledger_clinics()}
    for slug in sorted(set(saved) - set(restored)):
        problems.append(
            f"ledger of {slug}: the backup saved head #{saved[slug].get('sequence')} but the "
            "restored database has no ledger for it"
        )
    for slug, clinic in restored.items():
        head = saved.get(slug)
        if head is None:
            problems.append(f"ledger of {slug}: restored, but the backup saved no head for it")
            continue
        if str(clinic.pk) != head.get("clinic_id"):
            problems.append(f"ledger of {slug}: the clinic's id differs from the backup's")
            continue
        verdict = verify_clinic_chain(clinic.pk, saved_head=head.get("hash"))
        if not verdict.valid:
            bad = verdict.first_bad
            where = f"entry #{bad.sequence}" if bad.sequence is not None else "the chain's end"
            problems.append(f"ledger of {slug}: BROKEN at {where}: {bad.kind}: {bad.reason}")
            continue
        if checkpoint_key is not None:
            anchored = verify_clinic_ledger(clinic.pk, full=True, key=checkpoint_key)
            check = anchored.checkpoint
            if check is not None and not check.valid:
                problems.append(f"ledger of {slug}: disagrees with {check.label}: {check.reason}")
                continue
            if anchored.missing_entries:
                problems.append(
                    f"ledger of {slug}: {len(anchored.missing_entries)} ledger audit event(s) "
                    "without their entry"
                )
                continue
        found = (_sequence(clinic.pk), head_of(clinic.pk))
        if found != (head.get("sequence"), head.get("hash")):
            problems.append(
                f"ledger of {slug}: head #{found[0]} {found[1]} restored, the backup saved "
                f"#{head.get('sequence')} {head.get('hash')}"
            )
    return problems
