"""Every intake rule as a clinician reads it, with its source (shown in the chart and docs)."""

from __future__ import annotations

from dataclasses import dataclass

REFERENCE = "ketaclinic clinical reference"
SPRAVATO_LABEL = "Spravato FDA label (DailyMed set id d81a6a79-a74a-44b7-822c-0dfa3036eaed)"


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
            f"{REFERENCE} §3 'Adequate trial' (MGH-ATRQ dose table; ATHF uses more than 4 weeks, "
            "so the week count is configurable)",
        ),
        Rule(
            "unknown_drug",
            "A drug that is not in the dose table is accepted as free text and flagged; it never "
            "counts as adequate unless a clinician confirms the dose was adequate (the duration "
            "rule still applies).",
            "Issue 4 §1",
        ),
        Rule(
            "missing_dose_or_duration",
            "A trial without a recorded daily dose or duration cannot be judged and does not count "
            "as adequate until the missing value is entered.",
            f"{REFERENCE} §3 'Adequate trial' (adequacy needs both dose and duration)",
        ),
        Rule(
            "intolerance",
            "A trial stopped for side effects (intolerance) is recorded but never counts as an "
            "adequate failed trial.",
            f"{REFERENCE} §3 'Outcome of a trial'",
        ),
        Rule(
            "imported_needs_review",
            "A trial imported from a referral counts only after a clinician has reviewed it.",
            "Issue 4 §5 (imported trials stay 'needs review' until a clinician confirms them)",
        ),
        Rule(
            "trd",
            "Treatment-resistant depression (TRD): at least 2 different antidepressants, each an "
            "adequate trial, with no response or partial response in the current episode.",
            f"{REFERENCE} §3 'Treatment-resistant depression'",
        ),
        Rule(
            "maudsley",
            "Maudsley Staging Method: duration (up to 12 months 1, 13-24 months 2, over 24 months "
            "3) + severity (subsyndromal 1, mild 2, moderate 3, severe without psychosis 4, severe "
            "with psychosis 5) + failed treatments (1-2: 1, 3-4: 2, 5-6: 3, 7-10: 4, over 10: 5) "
            "+ augmentation used (0/1) + ECT used (0/1). Total 3-15: mild 3-6, moderate 7-10, "
            "severe 11-15.",
            f"{REFERENCE} §3 (Fekadu et al. 2009)",
        ),
        Rule(
            "esketamine_contraindications",
            "Esketamine is contraindicated with aneurysmal vascular disease (thoracic and "
            "abdominal aorta, intracranial and peripheral arterial vessels), arteriovenous "
            "malformation, a history of intracerebral hemorrhage, or hypersensitivity to "
            "esketamine or ketamine: any 'yes' makes an esketamine protocol ineligible.",
            f"{SPRAVATO_LABEL}; {REFERENCE} §1 'Contraindications'",
        ),
        Rule(
            "esketamine_contraindications_for_ketamine",
            "For racemic ketamine the reference gives no absolute contraindication list: a 'yes' "
            "to an esketamine contraindication is shown as a caution for a prescriber to weigh.",
            f"{REFERENCE} §2 (no contraindication list for IV ketamine); issue 4 §2",
        ),
        Rule(
            "cautions",
            "Cautions for both ketamine and esketamine: uncontrolled hypertension, history of "
            "psychosis, active substance use disorder (especially ketamine or PCP misuse), "
            "pregnancy or breastfeeding, severe hepatic impairment, raised intracranial pressure, "
            "unstable cardiac disease. A 'yes' asks a prescriber to review.",
            f"Issue 4 §2; {REFERENCE} §1 (blood pressure and intracranial pressure) and §2 "
            "(psychiatric and substance use history before the first infusion)",
        ),
        Rule(
            "unknown_blocks_decision",
            "Every contraindication question is answered yes, no or unknown; an 'unknown' or "
            "unanswered question blocks approval until it is answered.",
            "Issue 4 §2",
        ),
        Rule(
            "suicide_risk",
            "A high C-SSRS screener risk (yes to question 4 or 5, or to 6 with 6b) is flagged for "
            "urgent review. It is not a contraindication.",
            f"{REFERENCE} §4 (C-SSRS risk levels); issue 4 §2",
        ),
        Rule(
            "protocol_indication",
            "The esketamine MDSI protocol (major depression with acute suicidal ideation or "
            "behavior) does not require TRD; every other protocol is assessed against TRD.",
            f"{SPRAVATO_LABEL}; {REFERENCE} §1 'MDSI' (ketamine protocols: verify per clinic)",
        ),
        Rule(
            "recommendation",
            "Ineligible when the protocol's drug is contraindicated; review when any question is "
            "unknown, any caution applies, the protocol needs TRD and TRD is not met, or suicide "
            "risk is high; otherwise eligible.",
            "Issue 4 §3",
        ),
        Rule(
            "approval_against_recommendation",
            "A prescriber may approve against the recommendation only with a written "
            "justification; both the decision and the justification are audited.",
            "Issue 4 §3",
        ),
        Rule(
            "treatment_gate",
            "No treatment session may start without the latest eligibility decision for the "
            "protocol's drug being an approval and a signed, unrevoked consent of the protocol's "
            "consent type (off-label ketamine or esketamine REMS). A checklist answer changed to "
            "yes or unknown after the approval blocks until a prescriber re-assesses.",
            "Issue 4 §4 and acceptance list; the last sentence is a ketaclinic safety default",
        ),
    )
}
