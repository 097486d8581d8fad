"""Actions of the pharmacokinetics app: clinical decision support, so never the front desk."""

from ketaclinic.core.permissions import CLINICAL_READERS, define_table

define_table(
    [
        (
            "pk.simulate",
            "Simulate predicted ketamine or esketamine concentrations for a planned dose",
            CLINICAL_READERS,
        ),
        (
            "pk.view_models",
            "See the published pharmacokinetic models, their parameters, validity and sources",
            CLINICAL_READERS,
        ),
    ],
    area="pharmacokinetics",
)
