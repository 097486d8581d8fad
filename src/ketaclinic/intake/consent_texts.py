"""Starting consent texts per consent type (version 1), for each clinic to review and replace."""

from __future__ import annotations

from dataclasses import dataclass

REVIEW_NOTE = (
    "[Template shipped with ketaclinic. Your clinic must review this text with its counsel "
    "and publish its own version before use.]"
)


@dataclass(frozen=True)
class ConsentTemplate:
    consent_type: str
    title: str
    body: str
    source: str


KETAMINE_OFF_LABEL = ConsentTemplate(
    consent_type="ketamine_off_label",
    title="Consent to ketamine treatment for depression (off-label use)",
    body=f"""{REVIEW_NOTE}

Ketamine is approved by the FDA as an anesthetic. Its use to treat depression, as proposed to
me, is OFF-LABEL: it is not an FDA-approved use of the drug.

I have been told how the treatment is given (for example an intravenous infusion over about 40
minutes), how many treatments are planned, and that the dose and schedule are decided by my
prescriber.

I understand that during and after each treatment my blood pressure, heart rate and oxygen
level will be monitored, that I may feel dissociation (feeling detached or unreal), drowsiness,
nausea or a rise in blood pressure, and that I must not drive until the next day. A responsible
adult must take me home.

I have told the clinic about my medical and psychiatric history, substance use, medications and
allergies. I may ask questions at any time and may withdraw this consent at any time without
affecting my other care.
""",
    source=(
        "Ketalar (ketamine hydrochloride injection) US prescribing information: approved as an "
        "anesthetic, so its use for depression is off-label and named as such; discharge only "
        "with a responsible adult (Ketalar UK SmPC, section 4.4)"
    ),
)

ESKETAMINE_REMS = ConsentTemplate(
    consent_type="esketamine_rems",
    title="Consent to esketamine nasal spray (Spravato) treatment and REMS enrollment",
    body=f"""{REVIEW_NOTE}

Esketamine nasal spray (Spravato) is available only through a restricted program, the SPRAVATO
REMS. By signing, I agree to be ENROLLED IN THE SPRAVATO REMS and understand that the clinic
reports information about each treatment session to the REMS.

I will take each dose under the supervision of a healthcare provider at the clinic and will be
monitored for at least 2 hours after the dose, until the clinic decides I can leave safely.
Blood pressure is checked before and after dosing.

Esketamine can cause sedation, dissociation, breathing problems and a rise in blood pressure.
I must not drive or operate machinery until the next day after a restful sleep, and I will
arrange a ride home.

I have told the clinic about my medical history, including any aneurysm or blood vessel disease,
arteriovenous malformation, bleeding in the brain, and any allergy to esketamine or ketamine.
I may withdraw this consent at any time.
""",
    source=(
        "Spravato (esketamine) nasal spray, US prescribing information (FDA): REMS enrollment, "
        "at least 2 hours of observation, no driving until the next day after a restful sleep, "
        "section 4 Contraindications; Spravato REMS (FDA REMS id 386)"
    ),
)

TEMPLATES: dict[str, ConsentTemplate] = {
    t.consent_type: t for t in (KETAMINE_OFF_LABEL, ESKETAMINE_REMS)
}
