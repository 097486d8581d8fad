"""Per-clinic fixtures of the synthetic registry: the clinic, its staff, protocols, consents."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from ketaclinic.accounts.models import ClinicSecurity, User
from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import Role
from ketaclinic.intake import consent_texts
from ketaclinic.intake.models import ConsentDocument
from ketaclinic.protocols.definitions import PROTOCOLS
from ketaclinic.protocols.editing import to_data
from ketaclinic.protocols.models import ProtocolVersion

# Staff of each registry clinic: (role, count, credentials). Names come from the name pools.
STAFF = (
    (Role.PRESCRIBER, 3, "MD"),
    (Role.NURSE, 6, "RN"),
    (Role.FRONT_DESK, 2, ""),
    (Role.CLINIC_ADMIN, 1, ""),
    (Role.AUDITOR, 1, ""),
)
PROTOCOL_CODES = ("iv_ketamine", "esketamine_trd", "esketamine_mdsi")


@dataclass
class Staff:
    id: object
    username: str
    display_name: str


@dataclass
class ClinicContext:
    """What patient generation needs of one clinic (ids, not ORM objects, for speed)."""

    clinic: Clinic
    index: int
    staff: dict[str, list[Staff]] = field(default_factory=dict)
    versions: dict[str, object] = field(default_factory=dict)  # code -> ProtocolVersion
    consent_documents: dict[str, object] = field(default_factory=dict)  # type -> document

    id: object = None  # the clinic's pk, kept as a plain attribute (read per row)

    def one(self, role: str, rng) -> Staff:
        return rng.choice(self.staff[role])


def slug_for(index: int) -> str:
    return f"registry-{index}"


def create_clinic(index: int, rng, names, password: str, stamp) -> ClinicContext:
    """Create registry clinic `index` (1-based) with staff, protocol versions and consents.

    Ids come from the seeded random stream and creation times are `stamp`, so a registry is
    identical for a seed and as-of date.
    """
    clinic = Clinic.objects.create(
        id=names.uuid(),
        name=f"Registry Clinic {index}",
        slug=slug_for(index),
        time_zone="America/New_York",
        mrn_prefix=f"R{index}",
        address=f"{100 + index} Synthetic Way, Springfield",
    )
    # A synthetic clinic, like the demo: its staff sign in with the shared password alone.
    ClinicSecurity.objects.create(clinic=clinic, mfa_required=False)
    ctx = ClinicContext(clinic=clinic, index=index, id=clinic.pk)
    hashed = make_password(password)  # one hash for all: argon2 per user would take seconds
    users = []
    for role, count, credentials in STAFF:
        ctx.staff[role] = []
        for n in range(1, count + 1):
            first, last = rng.choice(names.first), rng.choice(names.last)
            user = User(
                id=names.uuid(),
                username=f"reg{index}_{role}{n}",
                first_name=first,
                last_name=last,
                clinic=clinic,
                role=role,
                credentials=credentials,
                password=hashed,
                email=f"reg{index}.{role}{n}@example.org",
                date_joined=stamp,
            )
            users.append(user)
            name = f"{first} {last}" + (f", {credentials}" if credentials else "")
            ctx.staff[role].append(Staff(user.id, user.username, name))
    User.objects.bulk_create(users)
    for code in PROTOCOL_CODES:
        # The snapshot protocols.services.ensure_version would take, with a seeded id.
        builtin = PROTOCOLS[code]
        ctx.versions[code] = ProtocolVersion.objects.create(
            id=names.uuid(),
            clinic=clinic,
            code=code,
            base_code=code,
            version=1,
            name=builtin.name,
            definition=to_data(builtin),
            is_builtin=True,
            change_note="Built-in protocol as shipped.",
        )
    admin = ctx.staff[Role.CLINIC_ADMIN][0]
    for template in (consent_texts.KETAMINE_OFF_LABEL, consent_texts.ESKETAMINE_REMS):
        ctx.consent_documents[template.consent_type] = ConsentDocument.objects.create(
            id=names.uuid(),
            clinic=clinic,
            consent_type=template.consent_type,
            version=1,
            title=template.title,
            body=template.body,
            created_by_id=admin.id,
        )
    Clinic.objects.filter(pk=clinic.pk).update(created_at=stamp)
    ProtocolVersion.objects.filter(clinic=clinic).update(created_at=stamp)
    ConsentDocument.objects.filter(clinic=clinic).update(created_at=stamp)
    return ctx
