"""Every write to the controlled-substance ledger: one transaction per movement, audited."""

from ketaclinic.inventory.services.checkpoints import CheckpointRefused, take_checkpoint
from ketaclinic.inventory.services.distribution import distribute_stock
from ketaclinic.inventory.services.sessions import (
    administer,
    close_session_drug_record,
    draw_for_session,
    record_waste,
    return_to_stock,
)
from ketaclinic.inventory.services.stock import (
    CountKind,
    CountOutcome,
    LossType,
    count_stock,
    create_location,
    create_product,
    destroy_stock,
    receive_stock,
    record_loss,
    record_loss_filing,
    resolve_discrepancy,
    transfer_stock,
)
from ketaclinic.inventory.witness import WitnessCredentials

__all__ = [
    "CheckpointRefused",
    "CountKind",
    "CountOutcome",
    "LossType",
    "WitnessCredentials",
    "administer",
    "close_session_drug_record",
    "count_stock",
    "create_location",
    "create_product",
    "destroy_stock",
    "distribute_stock",
    "draw_for_session",
    "receive_stock",
    "record_loss",
    "record_loss_filing",
    "record_waste",
    "resolve_discrepancy",
    "return_to_stock",
    "take_checkpoint",
    "transfer_stock",
]
