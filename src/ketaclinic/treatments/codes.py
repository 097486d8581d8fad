"""Coded vocabularies of the treatment day: adverse events, interventions, scales, decisions.

Session states are treatments.models.SessionStatus."""

from __future__ import annotations

# Adverse events as a coded list (docs/treatment-day.md); severity words as clinicians use them.
ADVERSE_EVENTS = (
    ("nausea", "Nausea"),
    ("vomiting", "Vomiting"),
    ("hypertension", "Hypertension"),
    ("sedation", "Sedation"),
    ("dissociation", "Dissociation"),
    ("headache", "Headache"),
    ("dizziness", "Dizziness"),
    ("anxiety_emergence", "Anxiety or emergence reaction"),
    ("respiratory_depression", "Respiratory depression"),
    ("other", "Other"),
)
# The three effects the esketamine label says must resolve before the patient leaves, and
# the REMS Patient Monitoring Form asks about (REMS modification of 31 Dec 2024).
REMS_EFFECTS = ("sedation", "dissociation", "respiratory_depression")

SEVERITIES = (("mild", "Mild"), ("moderate", "Moderate"), ("severe", "Severe"))

ADVERSE_EVENT_ACTIONS = (
    ("none", "None needed"),
    ("observation_extended", "Observation extended"),
    ("medication_given", "Medication given"),
    ("infusion_paused", "Infusion paused"),
    ("rate_reduced", "Infusion rate reduced"),
    ("dose_stopped", "Dosing stopped"),
    ("emergency_services_called", "Emergency services called"),
    ("other", "Other"),
)

ADVERSE_EVENT_OUTCOMES = (
    ("resolved", "Resolved"),
    ("resolving", "Resolving"),
    ("not_resolved", "Not resolved"),
    ("transferred", "Transferred to emergency care"),
)

# What was done about an alert (docs/treatment-day.md); "rechecked" covers a repeat
# measurement with no other action, "other" needs a note.
INTERVENTIONS = (
    ("infusion_paused", "Infusion paused"),
    ("rate_reduced", "Infusion rate reduced"),
    ("medication_given", "Medication given"),
    ("observation_extended", "Observation extended"),
    ("emergency_services_called", "Emergency services called"),
    ("rechecked", "Vitals rechecked, no other intervention"),
    ("other", "Other (see note)"),
)

PREGNANCY_TEST_RESULTS = (
    ("negative", "Negative"),
    ("positive", "Positive"),
    ("not_applicable", "Not applicable"),
)

GO = "go"
NO_GO = "no_go"
DECISIONS = ((GO, "Go: dose today"), (NO_GO, "No-go: do not dose today"))

SCALES = (("moaas", "MOAA/S"), ("cadss6", "CADSS-6"))
# CADSS-6 (Rodrigues 2021; see docs/treatment-day.md): 6 items scored 0-4 (verify range), total
# 0-24. The licence is unclear and the reference does not list the item wording, so items are
# numbered here; a clinic with a licence shows its own item text next to the numbers.
CADSS6_ITEMS = tuple(f"Item {n}" for n in range(1, 7))
CADSS6_ITEM_MAX = 4
MOAAS_MAX = 5

# The discharge criteria (treatments.rules.evaluate_discharge issue codes) in the words the
# chair board shows for what is still open before the patient may leave.
DISCHARGE_CRITERIA = (
    ("dose_not_given", "dose not given"),
    ("infusion_running", "infusion still running"),
    ("observation_time", "observation time"),
    ("aldrete", "Aldrete score"),
    ("vitals", "vitals"),
    ("moaas", "MOAA/S sedation score"),
    ("escort", "escort"),
    ("effects", "side effects resolved"),
    ("open_alerts", "open alerts"),
)
