"""Benchmark: the bulk FHIR NDJSON export in patients and resources per second, and its memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_100000 \
        .venv/bin/python bench/bench_fhir.py                  # every registry clinic
    DATABASE_URL=... .venv/bin/python bench/bench_fhir.py --sample 300 --no-full

It reads a seeded registry (`seed_registry`) and writes nothing to the database: the export runs
in one read-only transaction, as `export_research --format fhir` does, into a temporary
directory that is deleted afterwards. It prints, with the load average beside the numbers:

- the whole export of the registry clinics: patients/s and resources/s (wall clock and this
  process's CPU), and the peak resident memory of the process (ru_maxrss) with its baseline;
- the previous export (validate-dump-parse of every scale through fhir.resources, stdlib json)
  and the current one on the same sample of patients (`--sample`, the first by id), for the
  ratio. The sample is taken by filtering each table's one query to those patients.

Both exports apply the same de-identification (keyed pseudonyms, per-patient date shifts, no
names, contacts, addresses or birth dates). The research key is a throwaway one made here. It
asserts nothing.
"""

import argparse
import os
import resource
import secrets
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # the previous export is kept with the tests as their reference
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic_devtools.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from ketaclinic.core.models import Clinic  # noqa: E402
from ketaclinic.measures.models import MeasureResponse  # noqa: E402
from ketaclinic.outcomes import fhir_export  # noqa: E402
from ketaclinic.patients.models import Patient  # noqa: E402
from ketaclinic.treatments.models import TreatmentSession, VitalSignsEntry  # noqa: E402
from tests.outcomes import fhir_reference  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


@contextmanager
def only(patient_ids: list):
    """Both exports' table reads, restricted to these patients (still one query per table)."""

    def patient_rows(clinic_ids, fields, chunk_size=5000):
        rows = Patient.objects.filter(clinic_id__in=clinic_ids, id__in=patient_ids)
        return rows.order_by().values(*fields).iterator(chunk_size=chunk_size)

    def session_rows(clinic_ids, fields, chunk_size=5000):
        rows = TreatmentSession.objects.filter(clinic_id__in=clinic_ids, patient_id__in=patient_ids)
        return rows.order_by().values(*fields).iterator(chunk_size=chunk_size)

    def vitals_rows(clinic_ids, fields, chunk_size=10000):
        rows = VitalSignsEntry.objects.filter(
            clinic_id__in=clinic_ids, session__patient_id__in=patient_ids
        )
        return rows.order_by().values(*fields).iterator(chunk_size=chunk_size)

    def response_rows(clinic_ids, fields, chunk_size=5000):
        rows = MeasureResponse.objects.filter(clinic_id__in=clinic_ids, patient_id__in=patient_ids)
        rows = rows.order_by("patient_id", "administered_at", "id").values(*fields)
        return rows.iterator(chunk_size=chunk_size)

    class Exports:
        pass

    exports = Exports()
    exports.session_rows, exports.vitals_rows = session_rows, vitals_rows
    saved = []
    for module in (fhir_export, fhir_reference):
        saved.append((module, module.patient_rows, module.treatment_exports, module.response_rows))
        module.patient_rows, module.treatment_exports = patient_rows, exports
        module.response_rows = response_rows
    try:
        yield
    finally:
        for module, patients, treatments, responses in saved:
            module.patient_rows, module.treatment_exports = patients, treatments
            module.response_rows = responses


def run(export, clinic_ids, key) -> tuple[dict, float, float]:
    out = Path(tempfile.mkdtemp(prefix="bench-fhir-"))
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            result = export(clinic_ids, out, key)
        return result.counts, time.perf_counter() - wall, time.process_time() - cpu
    finally:
        shutil.rmtree(out, ignore_errors=True)


def line(label: str, counts: dict, wall: float, cpu: float) -> str:
    patients, resources = counts["Patient"], sum(counts.values())
    return (
        f"{label}: {patients:,} patients, {resources:,} resources in {wall:.1f} s "
        f"({cpu:.1f} s CPU): {patients / wall:,.0f} patients/s, {resources / wall:,.0f} "
        f"resources/s; CPU {patients / cpu:,.0f} patients/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=200, help="patients for the ratio (200)")
    parser.add_argument("--no-full", action="store_true", help="only the sample comparison")
    args = parser.parse_args()
    key = secrets.token_bytes(32)
    clinic_ids = list(
        Clinic.objects.filter(slug__startswith="registry-").values_list("pk", flat=True)
    )
    if not clinic_ids:
        sys.exit("No registry clinic in this database: run seed_registry first.")
    print(f"database {connection.vendor} {connection.settings_dict['NAME']}; {load()}")
    print(f"baseline resident memory {rss_mb():,.0f} MB")
    if not args.no_full:
        counts, wall, cpu = run(fhir_export.export_fhir, clinic_ids, key)
        print(line("export, every registry patient", counts, wall, cpu))
        print(f"peak resident memory {rss_mb():,.0f} MB; {load()}")
    sample = list(
        Patient.objects.filter(clinic_id__in=clinic_ids)
        .order_by("id")
        .values_list("id", flat=True)[: args.sample]
    )
    with only(sample):
        old = run(fhir_reference.export_fhir_reference, clinic_ids, key)
        new = run(fhir_export.export_fhir, clinic_ids, key)
    print(line("previous export, sample", *old))
    print(line("current export, same sample", *new))
    old_rate, new_rate = old[0]["Patient"] / old[1], new[0]["Patient"] / new[1]
    print(
        f"ratio current/previous: {new_rate / old_rate:.1f}x wall, "
        f"{(old[2] / new[2]):.1f}x CPU; {load()}"
    )


if __name__ == "__main__":
    main()
