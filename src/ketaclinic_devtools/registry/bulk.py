"""Fast bulk inserts for the synthetic registry: COPY on PostgreSQL, executemany on SQLite.

Rows are plain tuples in a declared column order, converted once per batch for the backend.
This skips model instantiation (the cost that dominates bulk_create at millions of rows); it is
used only by `seed_registry`, inside its transaction, for tables it fills itself.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date
from decimal import Decimal

from django.db import models

Converter = Callable[[object], object] | None


def _sqlite_uuid(value):
    return value.hex if isinstance(value, uuid.UUID) else value


def _sqlite_datetime(value):
    if value is None:
        return None
    # Django keeps aware datetimes in SQLite as naive UTC text; the generator works in UTC.
    text = value.isoformat(" ")
    if text.endswith("+00:00"):
        return text[:-6]
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _sqlite_date(value):
    return value.isoformat() if isinstance(value, date) else value


def _text(value):
    return None if value is None else str(value)


def _json(value):
    return None if value is None else json.dumps(value, separators=(",", ":"), default=str)


def _target_type(field: models.Field) -> str:
    if field.is_relation:
        return _target_type(field.target_field)
    return field.get_internal_type()


# What SQLite needs converted before a bulk write, by the field's internal type.
SQLITE_CONVERTERS: dict[str, Converter] = {
    "UUIDField": _sqlite_uuid,
    "DateTimeField": _sqlite_datetime,
    "DateField": _sqlite_date,
    "DecimalField": _text,
}


def converter_for(field: models.Field, vendor: str) -> Converter:
    kind = _target_type(field)
    if kind == "JSONField":
        return _json
    if vendor == "postgresql":
        return None
    return SQLITE_CONVERTERS.get(kind)


class Table:
    """One table being filled: declared columns (attnames) plus constant defaults."""

    def __init__(self, writer: BulkWriter, model: type[models.Model], columns: Sequence[str]):
        self.writer = writer
        self.model = model
        self.rows: list[tuple] = []
        self.written = 0
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no column(s) {sorted(unknown)}")
        self.fields = [fields[c] for c in columns]
        # Columns not given: nullable ones stay NULL, constant defaults are filled in here
        # (Django sets defaults in Python, not in the database schema).
        self.constants: list[tuple[models.Field, object]] = []
        for name, field in fields.items():
            if name in columns:
                continue
            if field.has_default() and not callable(field.default):
                self.constants.append((field, field.get_default()))
            elif field.has_default() and field.default in (list, dict):
                self.constants.append((field, field.default()))
            elif not field.has_default() and field.blank and field.empty_strings_allowed:
                self.constants.append((field, ""))
            elif not field.null:
                raise ValueError(f"{model.__name__}.{name} is required: give it a value")
        vendor = writer.vendor
        all_fields = self.fields + [f for f, _ in self.constants]
        self.converters = [converter_for(f, vendor) for f in all_fields]
        self.constant_values = tuple(v for _, v in self.constants)
        self.column_names = [f.column for f in all_fields]
        self.sql_table = model._meta.db_table

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.writer.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        rows = self.rows
        self.rows = []
        if self.constant_values:
            rows = [row + self.constant_values for row in rows]
        if any(self.converters):
            # Column-wise conversion: one map() per column is far cheaper than per value.
            columns = list(zip(*rows, strict=True))
            for i, convert in enumerate(self.converters):
                if convert is not None:
                    columns[i] = list(map(convert, columns[i]))
            rows = list(zip(*columns, strict=True))
        self.writer.write(self.sql_table, self.column_names, rows)
        self.written += len(rows)


class BulkWriter:
    """Buffers rows per table and writes them in large batches on the current connection."""

    def __init__(self, connection, batch_size: int = 20_000):
        self.connection = connection
        self.vendor = connection.vendor
        self.batch_size = batch_size
        self.tables: dict[type, Table] = {}

    def table(self, model, columns: Sequence[str]) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(self, model, columns)
        return self.tables[model]

    def flush(self) -> None:
        for table in self.tables.values():
            table.flush()

    @property
    def rows_written(self) -> int:
        return sum(t.written for t in self.tables.values())

    def write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        self.connection.ensure_connection()
        qn = self.connection.ops.quote_name
        cols = ", ".join(qn(c) for c in columns)
        raw = self.connection.connection
        if self.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            # Names come from model metadata and are quoted; values are bound parameters.
            sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})"  # noqa: S608
            raw.executemany(sql, rows)


def decimal(value: float | int | str, places: str = "0.1") -> Decimal:
    """A Decimal rounded to `places` (drug quantities and vitals are never floats)."""
    return Decimal(str(value)).quantize(Decimal(places))
