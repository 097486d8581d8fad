"""Every intake write (one transaction and one audit event each), re-exported by topic."""

from .configuration import set_clinic_antidepressant, update_intake_settings
from .consent import publish_consent_document, record_consent, revoke_consent
from .intake import (
    MAX_DAILY_DOSE_MG,
    MAX_TRIAL_WEEKS,
    TRIAL_EDITABLE,
    confirm_trial,
    create_referral,
    decide_eligibility,
    record_contraindications,
    record_trial,
    remove_trial,
    require_may_treat,
    update_history,
    update_trial,
)

__all__ = [
    "MAX_DAILY_DOSE_MG",
    "MAX_TRIAL_WEEKS",
    "TRIAL_EDITABLE",
    "confirm_trial",
    "create_referral",
    "decide_eligibility",
    "publish_consent_document",
    "record_consent",
    "record_contraindications",
    "record_trial",
    "remove_trial",
    "require_may_treat",
    "revoke_consent",
    "set_clinic_antidepressant",
    "update_history",
    "update_intake_settings",
    "update_trial",
]
