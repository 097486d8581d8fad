"""The de-identified research export: Parquet or CSV tables, a data dictionary, a manifest.

Rows stream from the database in chunks; each passes through rules.deidentify_row with the
table's allow-list (export_spec.TABLES), so only listed columns can ever be written.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.utils import timezone

from ketaclinic.core.models import Clinic
from ketaclinic.intake.antidepressants import BUILT_IN
from ketaclinic.outcomes import keys
from ketaclinic.outcomes.definitions import (
    AGE_TOP_SOURCE,
    DATE_SHIFT_SOURCE,
    MAX_DATE_SHIFT_DAYS,
)
from ketaclinic.outcomes.export_spec import TABLES, TableSpec
from ketaclinic.outcomes.rules import (
    DROP,
    age_on,
    date_offset_days,
    deidentified_age,
    deidentify_row,
)
from ketaclinic.treatments.queries import exports as treatment_exports

FORMATS = ("parquet", "csv", "fhir")
CHUNK = 20_000
BATCH = 50_000


@dataclass
class ExportResult:
    out_dir: Path
    format: str
    tables: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    key_fingerprint: str = ""


class Keyed:
    """A function of the key and an id (the last argument, read in its canonical spelling),
    computed once per distinct argument list."""

    compute: Callable

    def __init__(self, key: bytes):
        self.key = key
        self.cache: dict = {}

    def __call__(self, *args):
        token = (*args[:-1], canonical_id(args[-1]))
        if token not in self.cache:
            self.cache[token] = self.compute(self.key, *token)
        return self.cache[token]


class Shifts(Keyed):
    """Per-patient date offsets (days), computed once per patient from the key."""

    compute = staticmethod(date_offset_days)


def canonical_id(value) -> str:
    """Ids are pseudonymised in one spelling (32 hex digits) whatever the database returns."""
    return str(value).replace("-", "")


def source_rows(spec: TableSpec, clinic_ids) -> Iterator[dict]:
    model = apps.get_model(spec.model)
    sources = {c.source for c in spec.columns if c.treatment != DROP} - set(spec.derived)
    sources |= {spec.patient, *spec.extra}
    qs = model.objects.filter(clinic_id__in=clinic_ids).order_by().values(*sorted(sources))
    return qs.iterator(chunk_size=CHUNK)


def _index_dates(clinic_ids) -> dict[str, date]:
    return {
        canonical_id(patient_id): first
        for patient_id, first in treatment_exports.first_course_starts(clinic_ids)
    }


def _known_drugs() -> set[str]:
    return {a.name for a in BUILT_IN}


def prepared_rows(spec: TableSpec, clinic_ids, key: bytes, shifts: Shifts, cache: dict):
    """De-identified tuples of one table, in the spec's column order."""
    index = _index_dates(clinic_ids) if spec.name == "patients" else {}
    # Registration dates are the clinic's local dates (ids are compared in their export spelling).
    zones = (
        {canonical_id(c.pk): c.tz for c in Clinic.objects.filter(pk__in=list(clinic_ids))}
        if spec.name == "patients"
        else {}
    )
    drugs = _known_drugs() if spec.name == "antidepressant_trials" else set()
    for row in source_rows(spec, clinic_ids):
        for name, value in list(row.items()):
            if name == "id" or name.endswith("_id"):
                row[name] = None if value is None else canonical_id(value)
        patient = row[spec.patient]
        if spec.name == "patients":
            registered = row["created_at"].astimezone(zones.get(row["clinic_id"], UTC)).date()
            day = index.get(patient, registered)
            row["age_at_index"] = deidentified_age(age_on(row["date_of_birth"], day))
        if drugs and row.get("drug") not in drugs:
            row["drug"] = "other"
        yield deidentify_row(row, spec.columns, key=key, shift_days=shifts(patient), cache=cache)


def _arrow_type(dtype: str):
    import pyarrow as pa

    return {
        "string": pa.string(),
        "json": pa.string(),
        "int": pa.int64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "decimal": pa.decimal128(14, 3),
    }[dtype]


def _cell(value, dtype: str):
    if value is None:
        return None
    if dtype == "json":
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if dtype == "decimal" and not isinstance(value, Decimal):
        return Decimal(str(value))
    return value


def write_parquet(path: Path, spec: TableSpec, rows) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = [c for c in spec.columns if c.treatment != DROP]
    schema = pa.schema([(c.name, _arrow_type(c.dtype)) for c in columns])
    written = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        batch: list[tuple] = []

        def flush():
            if not batch:
                return
            arrays = [
                pa.array([_cell(r[i], c.dtype) for r in batch], type=schema.field(i).type)
                for i, c in enumerate(columns)
            ]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            batch.clear()

        for row in rows:
            batch.append(row)
            written += 1
            if len(batch) >= BATCH:
                flush()
        flush()
    return written


def _csv_text(value, dtype: str) -> str:
    if value is None:
        return ""
    if dtype == "json":
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, spec: TableSpec, rows) -> int:
    columns = [c for c in spec.columns if c.treatment != DROP]
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow([c.name for c in columns])
        for row in rows:
            out.writerow([_csv_text(v, c.dtype) for v, c in zip(row, columns, strict=True)])
            written += 1
    return written


def data_dictionary(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["table", "column", "type", "description", "de-identification"])
        for spec in TABLES:
            for c in spec.columns:
                treatment = {
                    "keep": "as recorded",
                    "pseudonym": f"keyed pseudonym ({c.kind})",
                    "shift": "shifted by the patient's offset",
                }.get(c.treatment)
                if c.name == "age_at_index":
                    treatment = "derived; ages over 89 as 90+"
                if treatment:
                    out.writerow([spec.name, c.name, c.dtype, c.description, treatment])


README = """# De-identified research export (ketaclinic)

Made by `ketaclinic export_research` on {made}. Tables: {tables}.
Each table's columns are described in `data_dictionary.csv`; row counts are in `manifest.json`.

What was done to the data:
- Only the columns listed in the data dictionary exist. Names, phone numbers, email and postal
  addresses, emergency contacts, MRNs, dates of birth, staff names and every free-text field
  (notes, reasons, descriptions, messages) are not exported at all.
- Record ids are replaced by keyed pseudonyms (HMAC-SHA-256 with the clinic's research key,
  fingerprint {fingerprint}); the same key gives the same pseudonyms in every export, so
  exports can be linked, and without the key they cannot be traced back.
- Every date and time of a patient is moved by that patient's own whole number of days
  (between -{max_shift} and +{max_shift}, never 0; {shift_source}). Intervals between one
  patient's events are exact; calendar dates and weekdays are not real. Times are UTC.
- Ages are given at the index date (first course start, else registration); ages over 89 are
  reported as 90+ ({age_source}).

This is a limited, pseudonymised data set: keep it under a data use agreement and do not try
to re-identify anyone.
"""


def write_readme(path: Path, result: ExportResult) -> None:
    path.write_text(
        README.format(
            made=timezone.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            tables=", ".join(result.tables),
            fingerprint=result.key_fingerprint,
            max_shift=MAX_DATE_SHIFT_DAYS,
            shift_source=DATE_SHIFT_SOURCE,
            age_source=AGE_TOP_SOURCE,
        ),
        encoding="utf-8",
    )


def export_tables(
    clinic_ids,
    out_dir: Path,
    fmt: str,
    key: bytes,
    progress: Callable[[str, int], None] | None = None,
) -> ExportResult:
    """Write every table of export_spec.TABLES plus the data dictionary, README and manifest."""
    result = ExportResult(out_dir, fmt, key_fingerprint=keys.fingerprint(key))
    shifts, cache = Shifts(key), {}
    writer = write_parquet if fmt == "parquet" else write_csv
    for spec in TABLES:
        path = out_dir / f"{spec.name}.{fmt}"
        rows = prepared_rows(spec, clinic_ids, key, shifts, cache)
        result.tables[spec.name] = writer(path, spec, rows)
        result.files.append(path.name)
        if progress is not None:
            progress(spec.name, result.tables[spec.name])
    data_dictionary(out_dir / "data_dictionary.csv")
    write_readme(out_dir / "README.md", result)
    manifest = {
        "format": fmt,
        "made_at": timezone.now().isoformat(),
        "key_fingerprint": result.key_fingerprint,
        "tables": result.tables,
        "files": [*result.files, "data_dictionary.csv", "README.md"],
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    result.files += ["data_dictionary.csv", "README.md", "manifest.json"]
    return result


NETWORK_README = """# De-identified research export of a clinic network

Made {made} for {locations} location(s) of one organization, one folder per location
(`location=<slug>/`), each holding the same tables as a single clinic's export
({tables}) with its own data dictionary and README.

All locations were exported with one key derived for this organization (fingerprint
{fingerprint}): an id has the same pseudonym in every location's tables, and no other
organization's export can be linked to these. The folders form one Hive-partitioned dataset;
for example, with DuckDB:

    SELECT location, count(*) FROM read_parquet('*/patients.parquet', hive_partitioning = true)
    GROUP BY location;

A patient transferred between locations has a record at each location, under a different
pseudonym at each: the transfer itself is not exported.
"""


def export_network(
    locations,
    out_dir: Path,
    fmt: str,
    key: bytes,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, ExportResult]:
    """Export each location of one organization into `location=<slug>/` with one key, so the
    folders merge into one dataset with consistent pseudonyms; a manifest lists them."""
    results = {}
    for clinic in locations:
        folder = out_dir / f"location={clinic.slug}"
        folder.mkdir()
        results[clinic.slug] = export_tables(
            [clinic.pk],
            folder,
            fmt,
            key,
            progress=None
            if progress is None
            else (lambda n, c, s=clinic.slug: progress(f"{s}/{n}", c)),
        )
    fingerprint = keys.fingerprint(key)
    tables = ", ".join(next(iter(results.values())).tables) if results else ""
    (out_dir / "README.md").write_text(
        NETWORK_README.format(
            made=timezone.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            locations=len(results),
            tables=tables,
            fingerprint=fingerprint,
        ),
        encoding="utf-8",
    )
    manifest = {
        "format": fmt,
        "made_at": timezone.now().isoformat(),
        "key_fingerprint": fingerprint,
        "locations": {slug: result.tables for slug, result in results.items()},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return results
