"""Fixtures of the core tests: the backup archive and what it is made from."""

from tests.core.backup_support import archive, clinic_data, var_dir  # noqa: F401
