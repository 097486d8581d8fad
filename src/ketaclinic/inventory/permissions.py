"""Actions of the controlled-substance ledger."""

from ketaclinic.core.permissions import CLINICAL_READERS, CLINICAL_STAFF, Role, define

STOCK_HANDLERS = {Role.PRESCRIBER, Role.NURSE, Role.CLINIC_ADMIN}
REGISTRANT_SIDE = {Role.PRESCRIBER, Role.CLINIC_ADMIN}
COMPLIANCE = {Role.AUDITOR, Role.CLINIC_ADMIN}

define(
    "ledger.view",
    "See the controlled-substance ledger, balances and its verification",
    CLINICAL_READERS,
    area="inventory",
)
define(
    "ledger.report",
    "Export DEA reports (dispensing log, receipts, inventory, Form 41, Form 106)",
    {Role.PRESCRIBER, Role.AUDITOR, Role.CLINIC_ADMIN},
    area="inventory",
)
define(
    "ledger.diversion",
    "See the diversion signals report (staff compared with peers)",
    COMPLIANCE,
    area="inventory",
)
define(
    "ledger.manage_stock",
    "Add controlled-substance products and storage locations",
    {Role.CLINIC_ADMIN},
    area="inventory",
)
define("ledger.receive", "Record a receipt of stock", STOCK_HANDLERS, area="inventory")
define(
    "ledger.draw",
    "Draw, administer, waste and return drug for a treatment session",
    CLINICAL_STAFF,
    area="inventory",
)
define("ledger.close_session", "Close a session's drug record", CLINICAL_STAFF, area="inventory")
define(
    "ledger.distribute",
    "Distribute stock to another registrant (return to the supplier, or transfer to a reverse "
    "distributor)",
    STOCK_HANDLERS,
    area="inventory",
)
define("ledger.transfer", "Move stock between storage locations", STOCK_HANDLERS, area="inventory")
define("ledger.count", "Count stock (daily count or inventory)", STOCK_HANDLERS, area="inventory")
define(
    "ledger.resolve_discrepancy",
    "Resolve an open count discrepancy with a reason",
    {Role.CLINIC_ADMIN},
    area="inventory",
)
define(
    "ledger.destroy",
    "Record destruction of expired or unusable stock (Form 41)",
    REGISTRANT_SIDE,
    area="inventory",
)
define(
    "ledger.loss",
    "Record a theft or significant loss and its DEA filings (Form 106)",
    REGISTRANT_SIDE,
    area="inventory",
)
# Witnesses authenticate themselves at the moment of the act; these actions say who may.
define(
    "ledger.witness_waste",
    "Witness the waste of a controlled substance",
    CLINICAL_STAFF,
    area="inventory",
)
define(
    "ledger.witness_destruction",
    "Witness the destruction of stock (Form 41)",
    STOCK_HANDLERS,
    area="inventory",
)
