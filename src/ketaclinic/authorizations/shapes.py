"""Building one shape from another that shares field names."""

from __future__ import annotations


def same_named(row, names: str) -> dict:
    """The attributes of `row` named (space-separated), under the same names."""
    return {name: getattr(row, name) for name in names.split()}
