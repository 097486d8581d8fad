"""Browser journey: a referred patient through intake to an approved decision and signed consent."""

import datetime as dt

from playwright.sync_api import expect

from ketaclinic.intake import services
from ketaclinic.intake.models import ConsentRecord, EligibilityDecision
from ketaclinic.intake.queries import treatment_blockers
from ketaclinic.patients.services import register_patient

from .conftest import open_nav


def test_intake_of_a_referred_patient_to_approval_with_signed_consent(
    page, new_page, login, screenshot, prescriber, nurse, front_desk
):
    # given a patient the front desk put on the waiting list
    patient = register_patient(
        actor=front_desk,
        given_name="Jordan",
        family_name="Rivera",
        date_of_birth="1984-03-12",
        sex="female",
    )
    services.create_referral(
        actor=front_desk,
        patient=patient,
        referred_on=patient.clinic.today() - dt.timedelta(days=12),
        referring_clinician="Dr. Dana Whitfield",
    )

    # when the nurse opens the waiting list and starts the intake
    login(page, nurse)
    open_nav(page).get_by_role("link", name="Referrals").click()
    row = page.get_by_role("row", name="Rivera, Jordan")
    expect(row).to_contain_text("Referred")
    screenshot(page, "intake-waiting-list")
    row.get_by_role("link", name="Rivera, Jordan").click()
    expect(page.get_by_role("heading", name="1. Treatment history")).to_be_visible()

    # step 1: history
    page.get_by_label("Onset of the current episode").fill("2023-02-01")
    page.get_by_label("Current severity").select_option("severe_without_psychosis")
    page.get_by_label("Psychotherapy in the current episode").check()
    page.get_by_role("button", name="Save history").click()
    expect(page.get_by_text("Treatment history saved.")).to_be_visible()

    # step 2: two adequate trials that failed
    for drug, dose, outcome in (
        ("sertraline", "150", "no_response"),
        ("duloxetine", "90", "partial_response"),
    ):
        page.get_by_text("Add a trial").click()
        page.locator("#id_trial-drug").fill(drug)
        page.get_by_label("Daily dose (mg)").fill(dose)
        page.get_by_label("Duration (weeks)").fill("8")
        page.get_by_label("Adherence").select_option("good")
        page.get_by_label("Outcome").select_option(outcome)
        page.get_by_role("button", name="Add trial").click()
        expect(page.get_by_text(f"Trial of {drug} recorded.")).to_be_visible()
    trials = page.locator("#trials")
    expect(trials.get_by_text("counts toward TRD")).to_have_count(2)
    screenshot(page, "intake-trials")

    # step 3: the checklist, every question answered "No"
    questions = page.locator("fieldset.question")
    for index in range(questions.count()):
        questions.nth(index).get_by_label("No", exact=True).check()
    page.get_by_label("Note (source of the answers").fill("Patient interview and GP letter")
    page.get_by_role("button", name="Save checklist").click()
    expect(page.get_by_text("Contraindication checklist saved.")).to_be_visible()
    expect(page.locator("#checklist")).to_contain_text("Recorded by Sam Jones")

    # then the prescriber sees an eligible recommendation for esketamine and approves
    prescriber_page = new_page()
    login(prescriber_page, prescriber)
    prescriber_page.goto(f"/patients/{patient.id}/intake/#eligibility")
    # choosing the protocol reloads the panel (htmx): wait for it before using the form
    with prescriber_page.expect_response(lambda r: "panel=eligibility" in r.url):
        prescriber_page.get_by_label("Protocol").select_option("esketamine_trd")
    prescriber_page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    panel = prescriber_page.locator("#eligibility-panel")
    expect(panel).to_contain_text("eligible")
    expect(panel).to_contain_text("Treatment-resistant: 2 adequate failed trials")
    screenshot(prescriber_page, "intake-eligibility", full_page=False)
    panel.get_by_label("Approve").check()
    panel.get_by_label("Note", exact=True).fill("Good candidate; discussed REMS and driving.")
    panel.get_by_role("button", name="Record decision").click()
    expect(prescriber_page.get_by_text("Eligibility for esketamine approved.")).to_be_visible()
    decisions = prescriber_page.locator("#eligibility table")
    expect(decisions).to_contain_text("Approved")
    expect(decisions).to_contain_text(prescriber.display_name)

    # and the nurse records the signed REMS consent
    page.reload()
    consent = page.locator("#consent")
    consent.get_by_label("Consent type").select_option("esketamine_rems")
    consent.get_by_label("Signer name").fill("Jordan Rivera")
    consent.get_by_label("Witness name").fill("Sam Jones")
    consent.get_by_role("button", name="Record signed consent").click()
    expect(page.get_by_text("Signed consent recorded (version 1).")).to_be_visible()
    expect(page.locator("#consent table")).to_contain_text("Jordan Rivera")
    screenshot(page, "intake-consent")

    # finally nothing blocks an esketamine session any more
    page.goto(f"/patients/{patient.id}/intake/?protocol=esketamine_trd#eligibility")
    expect(page.locator("#eligibility-panel")).to_contain_text("may treat")
    decision = EligibilityDecision.objects.get(patient=patient)
    assert (decision.outcome, decision.decided_by) == ("approve", prescriber)
    assert ConsentRecord.objects.get(patient=patient).version == 1
    assert treatment_blockers(patient, "esketamine_trd") == []
    page.goto("/intake/waiting-list/?status=eligible")
    expect(page.get_by_role("row", name="Rivera, Jordan")).to_contain_text("Eligible")
