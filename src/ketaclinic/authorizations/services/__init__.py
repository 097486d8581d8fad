"""Writes of coverage and prior authorizations, each in one transaction with its audit event.

Split by topic and re-exported here: `from ketaclinic.authorizations import services`.
"""

from .authorizations import (
    APPROVAL_FIELDS,
    REQUEST_FIELDS,
    change_status,
    create_authorization,
    record_packet_prepared,
    update_authorization,
)
from .configuration import copy_example_checklist, save_checklist, update_settings
from .coverage import add_coverage, record_benefits_check, update_coverage

__all__ = [
    "APPROVAL_FIELDS",
    "REQUEST_FIELDS",
    "add_coverage",
    "change_status",
    "copy_example_checklist",
    "create_authorization",
    "record_benefits_check",
    "record_packet_prepared",
    "save_checklist",
    "update_authorization",
    "update_coverage",
    "update_settings",
]
