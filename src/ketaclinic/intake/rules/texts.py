"""Every intake rule as a clinician reads it, with its primary source (shown in the chart and docs).

Sources are the product labels, the published instruments and papers. Where a rule is a choice
ketaclinic makes for safety rather than a clinical fact, its source says so ("ketaclinic safety
default") so nobody mistakes it for a label statement. The reasoning behind each choice is in
docs/intake.md.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- primary sources ---------------------------------------------------------------------------

SPRAVATO_LABEL = (
    "Spravato (esketamine) nasal spray, US prescribing information (FDA; DailyMed set id "
    "d81a6a79-a74a-44b7-822c-0dfa3036eaed)"
)
KETAMINE_US_LABEL = (
    "Ketalar (ketamine hydrochloride injection), US prescribing information (FDA), "
    "Contraindications"
)
KETAMINE_UK_SMPC = (
    "Ketalar solution for injection, UK Summary of Product Characteristics (MHRA), "
    "section 4.3 Contraindications"
)
KETAMINE_LABELS = f"{KETAMINE_US_LABEL}; {KETAMINE_UK_SMPC}"
ATRQ = (
    "MGH Antidepressant Treatment Response Questionnaire (ATRQ; Chandler et al., "
    "CNS Neurosci Ther 2010;16(5):322-325)"
)
ATRQ_CASE_REPORT = (
    "the ATRQ authors' case report, 'Personalizing depression treatment: 2 clinical tools', "
    "Current Psychiatry 2012;11(3)"
)
MAUDSLEY = (
    "Fekadu A, et al. A multidimensional tool to quantify treatment resistance in depression: "
    "the Maudsley staging method. J Clin Psychiatry 2009;70(2):177-184"
)
CSSRS = (
    "Columbia-Suicide Severity Rating Scale, screen version (Posner et al., Am J Psychiatry "
    "2011;168(12):1266-1277)"
)
SAFETY_DEFAULT = "ketaclinic safety default (a choice of this software, not a label statement)"


@dataclass(frozen=True)
class Rule:
    """A rule as a clinician reads it, with where it comes from."""

    code: str
    text: str
    source: str


# Every rule this module applies, in the words shown in the chart and in docs/intake.md.
RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            "adequate_trial",
            "A trial is adequate when its daily dose is at or above the drug's minimum adequate "
            "dose (dose table) and it lasted at least the clinic's minimum number of weeks "
            "(6 unless the clinic changes it).",
            f"{ATRQ}; {ATRQ_CASE_REPORT} (a 1-month trial is too short, a 7-week trial long "
            "enough). The week count is configurable because the Antidepressant Treatment "
            "History Form (ATHF) uses a shorter minimum",
        ),
        Rule(
            "unknown_drug",
            "A drug that is not in the dose table, or whose row has no verified minimum dose, is "
            "flagged; its trial never counts as adequate unless a clinician confirms the dose "
            "was adequate (the duration rule still applies). A dose the table's source states "
            "is too low is never adequate.",
            f"{SAFETY_DEFAULT}; the venlafaxine row follows {ATRQ_CASE_REPORT}",
        ),
        Rule(
            "missing_dose_or_duration",
            "A trial without a recorded daily dose or duration cannot be judged and does not count "
            "as adequate until the missing value is entered.",
            f"{ATRQ} (adequacy needs both dose and duration)",
        ),
        Rule(
            "intolerance",
            "A trial stopped for side effects (intolerance) is recorded but never counts as an "
            "adequate failed trial.",
            f"{ATRQ} (a trial counts only at adequate dose and duration); {SAFETY_DEFAULT}",
        ),
        Rule(
            "imported_needs_review",
            "A trial imported from a referral counts only after a clinician has reviewed it.",
            SAFETY_DEFAULT,
        ),
        Rule(
            "trd",
            "Treatment-resistant depression (TRD): at least 2 different antidepressants, each an "
            "adequate trial, with no response or partial response in the current episode.",
            f"{SPRAVATO_LABEL}, Clinical Studies (adults who had not responded to at least two "
            f"antidepressants of adequate dose and duration in the current episode); {ATRQ}",
        ),
        Rule(
            "maudsley",
            "Maudsley Staging Method: duration (up to 12 months 1, 13-24 months 2, over 24 months "
            "3) + severity (subsyndromal 1, mild 2, moderate 3, severe without psychosis 4, severe "
            "with psychosis 5) + failed treatments (1-2: 1, 3-4: 2, 5-6: 3, 7-10: 4, over 10: 5) "
            "+ augmentation used (0/1) + ECT used (0/1). Total 3-15: mild 3-6, moderate 7-10, "
            "severe 11-15.",
            MAUDSLEY,
        ),
        Rule(
            "esketamine_contraindications",
            "Esketamine is contraindicated with aneurysmal vascular disease (thoracic and "
            "abdominal aorta, intracranial and peripheral arterial vessels), arteriovenous "
            "malformation, a history of intracerebral hemorrhage, or hypersensitivity to "
            "esketamine or ketamine: any 'yes' makes an esketamine protocol ineligible.",
            f"{SPRAVATO_LABEL}, section 4 Contraindications",
        ),
        Rule(
            "ketamine_contraindications",
            "Ketamine (racemic, injection) is contraindicated with known hypersensitivity to "
            "ketamine, and where a significant rise in blood pressure would be a serious hazard "
            "(for example uncontrolled hypertension): either 'yes' makes a ketamine protocol "
            "ineligible. A 'yes' to one of esketamine's other contraindications is shown as a "
            "caution for a prescriber to weigh against the blood-pressure contraindication.",
            KETAMINE_LABELS,
        ),
        Rule(
            "cautions",
            "Cautions for both ketamine and esketamine: history of psychosis, active substance use "
            "disorder (especially ketamine or PCP misuse), pregnancy or breastfeeding, severe "
            "hepatic impairment, raised intracranial pressure, unstable cardiac disease; for "
            "esketamine also uncontrolled hypertension. A 'yes' asks a prescriber to review.",
            f"{SPRAVATO_LABEL}, Warnings and Precautions (blood pressure increase, abuse and "
            "misuse) and Use in Specific Populations (pregnancy, lactation, hepatic impairment); "
            "Ketalar (ketamine hydrochloride injection) US prescribing information, Warnings and "
            "Precautions (cerebrospinal fluid pressure, hemodynamic instability, liver injury); "
            f"history of psychosis: {SAFETY_DEFAULT}",
        ),
        Rule(
            "unknown_blocks_decision",
            "Every contraindication question is answered yes, no or unknown; an 'unknown' or "
            "unanswered question blocks approval until it is answered.",
            SAFETY_DEFAULT,
        ),
        Rule(
            "suicide_risk",
            "A high C-SSRS screener risk (yes to question 4 or 5, or to 6 with 6b) is flagged for "
            "urgent review. It is not a contraindication.",
            f"{CSSRS}; not a contraindication: {SPRAVATO_LABEL}, Indications (major depressive "
            "disorder with acute suicidal ideation or behavior)",
        ),
        Rule(
            "protocol_indication",
            "The esketamine MDSI protocol (major depression with acute suicidal ideation or "
            "behavior) does not require TRD; every other protocol is assessed against TRD.",
            f"{SPRAVATO_LABEL}, section 1 Indications and Usage; ketamine protocols (off-label): "
            f"{SAFETY_DEFAULT}, a clinic may change it",
        ),
        Rule(
            "recommendation",
            "Ineligible when the protocol's drug is contraindicated; review when any question is "
            "unknown, any caution applies, the protocol needs TRD and TRD is not met, or suicide "
            "risk is high; otherwise eligible.",
            f"{SAFETY_DEFAULT}, built on the contraindication and TRD rules above",
        ),
        Rule(
            "approval_against_recommendation",
            "A prescriber may approve against the recommendation only with a written "
            "justification; both the decision and the justification are audited.",
            SAFETY_DEFAULT,
        ),
        Rule(
            "treatment_gate",
            "No treatment session may start without the latest eligibility decision for the "
            "protocol's drug being an approval and a signed, unrevoked consent of the protocol's "
            "consent type (off-label ketamine or esketamine REMS). A checklist answer changed to "
            "yes or unknown after the approval blocks until a prescriber re-assesses.",
            f"Spravato REMS (FDA; patient enrollment before treatment) for esketamine; "
            f"{SAFETY_DEFAULT} for the rest",
        ),
    )
}
