"""Controlled-substance ledger vocabulary and regulatory facts, as data with their sources."""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

# Each fact names its primary source (the regulation or the DEA form); docs/inventory.md
# lists them. A "project choice" is a default of this software, not a regulation, and every
# one of them can be overridden in settings.KETACLINIC_INVENTORY. Source strings are shown to
# users (reports, refusals), so they cite the regulation, never an internal document.


class EntryType(StrEnum):
    """Kinds of ledger movement (21 CFR 1304.21: every receipt and disposition)."""

    RECEIPT = "receipt"
    DRAW = "draw"
    ADMINISTRATION = "administration"
    WASTE = "waste"
    RETURN = "return"
    TRANSFER = "transfer"
    COUNT = "count"
    DISCREPANCY = "discrepancy"
    DESTRUCTION = "destruction"
    LOSS = "loss"
    DISTRIBUTION = "distribution"


class BaseUnit(StrEnum):
    """The unit a product's quantities are kept in."""

    MG = "mg"
    DEVICE = "device"


class ProductForm(StrEnum):
    """Finished form of a product (21 CFR 1304.22(c): "finished form")."""

    INJECTION_SOLUTION = "injection_solution"
    NASAL_SPRAY_DEVICE = "nasal_spray_device"


# Solutions are counted in mg (mL is derived from the concentration); nasal devices
# are counted whole, because a device is dispensed and accounted for as one unit.
BASE_UNIT_BY_FORM = {
    ProductForm.INJECTION_SOLUTION: BaseUnit.MG,
    ProductForm.NASAL_SPRAY_DEVICE: BaseUnit.DEVICE,
}


@dataclass(frozen=True)
class EntryTypeRule:
    """How one entry type moves stock and a session's drug in hand, and who must witness it."""

    stock_sign: int  # +1 adds to the lot at its location, -1 removes, 0 leaves it
    session_sign: int  # +1 adds to the session's drug in hand, -1 accounts for some of it
    witnesses: int
    witness_source: str = ""


ENTRY_TYPE_RULES: dict[EntryType, EntryTypeRule] = {
    EntryType.RECEIPT: EntryTypeRule(stock_sign=+1, session_sign=0, witnesses=0),
    EntryType.DRAW: EntryTypeRule(stock_sign=-1, session_sign=+1, witnesses=0),
    EntryType.ADMINISTRATION: EntryTypeRule(stock_sign=0, session_sign=-1, witnesses=0),
    EntryType.WASTE: EntryTypeRule(
        stock_sign=0,
        session_sign=-1,
        witnesses=1,
        witness_source=(
            "waste after a dose is a disposal recorded under 21 CFR 1304.22(c); a second "
            "licensed witness for every waste is accepted practice and this clinic's policy, "
            "not a DEA rule"
        ),
    ),
    EntryType.RETURN: EntryTypeRule(stock_sign=+1, session_sign=-1, witnesses=0),
    # A transfer is -quantity at the source and +quantity at the destination.
    EntryType.TRANSFER: EntryTypeRule(stock_sign=0, session_sign=0, witnesses=0),
    EntryType.COUNT: EntryTypeRule(stock_sign=0, session_sign=0, witnesses=0),
    # A discrepancy carries its own sign: counted minus expected.
    EntryType.DISCREPANCY: EntryTypeRule(stock_sign=0, session_sign=0, witnesses=0),
    EntryType.DESTRUCTION: EntryTypeRule(
        stock_sign=-1,
        session_sign=0,
        witnesses=2,
        witness_source="DEA Form 41 (OMB 1117-0007), section D: two authorized employee witnesses",
    ),
    EntryType.LOSS: EntryTypeRule(stock_sign=-1, session_sign=0, witnesses=0),
    # Stock leaves the clinic for another registrant: the supplier or a reverse distributor.
    EntryType.DISTRIBUTION: EntryTypeRule(stock_sign=-1, session_sign=0, witnesses=0),
}


@dataclass(frozen=True)
class Fact:
    """A number with the reference it comes from."""

    value: int | Decimal
    source: str


RECORD_RETENTION_YEARS = Fact(2, "21 CFR 1304.04: keep records at least 2 years")
BIENNIAL_INVENTORY_YEARS = Fact(
    2, "21 CFR 1304.11: initial inventory on the first day, then at least every 2 years"
)
LOSS_NOTICE_BUSINESS_DAYS = Fact(
    1, "21 CFR 1301.76(b): written notice to DEA within 1 business day of discovery"
)
FORM_106_FILING_DAYS = Fact(45, "21 CFR 1301.76(b): DEA Form 106 filed within 45 days")

# 21 CFR 1304.22(c) dispenser record fields, plus the distribution fields of
# 1304.22(a)(2)(vii) that 1304.22(c) applies to practitioners. The field list is marked
# "verify against the eCFR": the report carries every field here, and adding one is a data
# change.
DISPENSING_LOG_FIELDS: tuple[tuple[str, str], ...] = (
    ("date", "Date of administration, disposal or distribution"),
    ("substance", "Name of the substance"),
    ("finished_form", "Finished form and units per container"),
    ("ndc", "NDC"),
    ("lot", "Lot"),
    ("entry_type", "Disposition (administered, wasted, destroyed, lost, distributed)"),
    ("quantity", "Quantity"),
    ("unit", "Unit"),
    ("patient_name", "Patient name"),
    ("patient_address", "Patient address"),
    ("administered_by", "Name or initials of the person who administered or disposed"),
    ("manner", "Manner of disposal"),
    ("witnesses", "Witnesses"),
    ("recipient_name", "Distributed to (registrant name)"),
    ("recipient_address", "Recipient address"),
    ("recipient_dea", "Recipient DEA registration number"),
    ("entry_sequence", "Ledger entry"),
)
DISPENSING_LOG_SOURCE = (
    "21 CFR 1304.22(c) dispenser records; distributions to another registrant: 21 CFR "
    "1304.22(a)(2)(vii), applied to practitioners by 1304.22(c) (field list: verify against "
    "the current eCFR text)"
)

RECEIPTS_LOG_FIELDS: tuple[tuple[str, str], ...] = (
    ("date", "Date received"),
    ("substance", "Name of the substance"),
    ("finished_form", "Finished form and units per container"),
    ("ndc", "NDC"),
    ("lot", "Lot"),
    ("containers", "Number of containers received"),
    ("quantity", "Quantity"),
    ("unit", "Unit"),
    ("supplier_name", "Supplier name"),
    ("supplier_address", "Supplier address"),
    ("supplier_dea", "Supplier DEA number"),
    ("invoice", "Invoice"),
    ("received_by", "Received by"),
    ("entry_sequence", "Ledger entry"),
)
RECEIPTS_LOG_SOURCE = "21 CFR 1304.22(c): containers received with date and supplier details"

# --- distribution to another registrant ------------------------------------------------------


class DistributionKind(StrEnum):
    """Why stock leaves the clinic for another DEA registrant."""

    SUPPLIER_RETURN = "supplier_return"
    REVERSE_DISTRIBUTOR = "reverse_distributor"


DISTRIBUTION_KIND_LABELS = {
    DistributionKind.SUPPLIER_RETURN: "Return to the supplier",
    DistributionKind.REVERSE_DISTRIBUTOR: "Transfer to a reverse distributor for destruction",
}
DISTRIBUTION_SOURCE = (
    "21 CFR 1304.22(a)(2)(vii), applied to practitioners by 21 CFR 1304.22(c): the number of "
    "units or volume distributed, the date, and the recipient's name, address and DEA "
    "registration number"
)
DISTRIBUTIONS_LOG_FIELDS: tuple[tuple[str, str], ...] = (
    ("date", "Date distributed"),
    ("kind", "Distribution"),
    ("substance", "Name of the substance"),
    ("finished_form", "Finished form and units per container"),
    ("ndc", "NDC"),
    ("lot", "Lot"),
    ("containers", "Number of containers"),
    ("quantity", "Quantity"),
    ("unit", "Unit"),
    ("recipient_name", "Recipient registrant name"),
    ("recipient_address", "Recipient address"),
    ("recipient_dea", "Recipient DEA registration number"),
    ("reference", "Invoice or shipping reference"),
    ("distributed_by", "Distributed by"),
    ("entry_sequence", "Ledger entry"),
)

# The check digit is not in the CFR. DEA numbers are two letters and seven digits, the
# seventh a check digit: (d1 + d3 + d5) + 2 x (d2 + d4 + d6), last digit. Several independent
# public descriptions agree on this rule (see docs/inventory.md); DEA itself does not publish it.
DEA_NUMBER_SOURCE = (
    "DEA registration number: two letters (the second may be 9 for a registrant registered "
    "under a business name) and seven digits; the seventh is the check digit, the last digit "
    "of (1st + 3rd + 5th digit) + 2 x (2nd + 4th + 6th digit)"
)

# --- DEA Form 106 ----------------------------------------------------------------------------

FORM_106_HISTORY_MONTHS = Fact(
    24,
    "DEA Form 106 (OMB 1117-0001): number of thefts or losses the registrant has experienced "
    "in the past 24 months",
)
FORM_106_PURCHASE_VALUE_SOURCE = (
    "DEA Form 106 (OMB 1117-0001): purchase value to the registrant of the controlled "
    "substances taken"
)
# Money to the cent, entered by the user (never computed from a price list).
MONEY_DECIMAL_PLACES = 2
MAX_PURCHASE_VALUE = Decimal("100000000")

INVENTORY_SOURCE = (
    "21 CFR 1304.11: record whether taken at opening or close of business; "
    "Schedule III opened containers may be estimated"
)


class InventoryTiming(StrEnum):
    """When an initial or biennial inventory was taken (21 CFR 1304.11)."""

    OPENING = "opening"
    CLOSE = "close"


# Diversion statistics. Not clinical facts: a statistical convention and project choices.
ROBUST_Z_CONSTANT = Fact(
    Decimal("0.6745"),
    "Iglewicz & Hoaglin (1993), modified z-score: 0.6745 * (x - median) / MAD",
)
ROBUST_Z_THRESHOLD = Fact(
    Decimal("3.5"),
    "Iglewicz & Hoaglin (1993) recommend |modified z| > 3.5 as a potential outlier",
)
# Below this many staff the median of "the peers" means little.
DIVERSION_MIN_PEERS = Fact(4, "project choice (configurable)")
REPEATED_DISCREPANCY_COUNT = Fact(2, "project choice (configurable)")
# A staff member whose wastes (at least this many) all have the same witness.
WITNESS_PAIR_MIN_ACTS = Fact(5, "project choice (configurable)")
REPEATED_DISCREPANCY_WINDOW_DAYS = Fact(30, "project choice (configurable)")

# Quantities in mg are kept to the microgram; anything finer is refused, never rounded.
QUANTITY_DECIMAL_PLACES = Fact(3, "project choice: mg to 0.001 (one microgram)")
VOLUME_DISPLAY_PLACES = Fact(3, "project choice: mL shown to 0.001")
