"""Actions of the controlled-substance ledger."""

from ketaclinic.core.permissions import CLINICAL_READERS, CLINICAL_STAFF, Role, define_table

STOCK_HANDLERS = {Role.PRESCRIBER, Role.NURSE, Role.CLINIC_ADMIN}
REGISTRANT_SIDE = {Role.PRESCRIBER, Role.CLINIC_ADMIN}
COMPLIANCE = {Role.AUDITOR, Role.CLINIC_ADMIN}

define_table(
    [
        (
            "ledger.view",
            "See the controlled-substance ledger, balances and its verification",
            CLINICAL_READERS,
        ),
        (
            "ledger.report",
            "Export DEA reports (dispensing log, receipts, inventory, Form 41, Form 106)",
            {Role.PRESCRIBER, Role.AUDITOR, Role.CLINIC_ADMIN},
        ),
        (
            "ledger.diversion",
            "See the diversion signals report (staff compared with peers)",
            COMPLIANCE,
        ),
        (
            "ledger.manage_stock",
            "Add controlled-substance products and storage locations",
            {Role.CLINIC_ADMIN},
        ),
        ("ledger.receive", "Record a receipt of stock", STOCK_HANDLERS),
        (
            "ledger.draw",
            "Draw, administer, waste and return drug for a treatment session",
            CLINICAL_STAFF,
        ),
        ("ledger.close_session", "Close a session's drug record", CLINICAL_STAFF),
        (
            "ledger.distribute",
            "Distribute stock to another registrant (return to the supplier, or transfer to a "
            "reverse distributor)",
            STOCK_HANDLERS,
        ),
        ("ledger.transfer", "Move stock between storage locations", STOCK_HANDLERS),
        ("ledger.count", "Count stock (daily count or inventory)", STOCK_HANDLERS),
        (
            "ledger.resolve_discrepancy",
            "Resolve an open count discrepancy with a reason",
            {Role.CLINIC_ADMIN},
        ),
        (
            "ledger.destroy",
            "Record destruction of expired or unusable stock (Form 41)",
            REGISTRANT_SIDE,
        ),
        (
            "ledger.loss",
            "Record a theft or significant loss and its DEA filings (Form 106)",
            REGISTRANT_SIDE,
        ),
        # Witnesses authenticate themselves at the moment of the act; these actions say who may.
        ("ledger.witness_waste", "Witness the waste of a controlled substance", CLINICAL_STAFF),
        (
            "ledger.witness_destruction",
            "Witness the destruction of stock (Form 41)",
            STOCK_HANDLERS,
        ),
    ],
    area="inventory",
)
