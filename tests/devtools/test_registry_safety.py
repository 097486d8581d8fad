"""The registry generator stays out of production, keeps foreign keys on and spares real clinics."""

import ast
import importlib
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from ketaclinic.core.models import Clinic
from ketaclinic.intake.models import Referral
from ketaclinic.patients.models import Patient
from ketaclinic_devtools.models import GeneratedClinic
from ketaclinic_devtools.registry.generator import Generator
from ketaclinic_devtools.registry.seed import seed_registry
from tests.factories import make_clinic

AS_OF = date(2025, 6, 30)
PRODUCT = Path(__file__).resolve().parents[2] / "src" / "ketaclinic"


def run_command(*args, **options):
    out = StringIO()
    call_command("seed_registry", *args, as_of=AS_OF, quiet=True, stdout=out, **options)
    return out.getvalue()


def test_the_production_settings_do_not_install_the_generator():
    product = importlib.import_module("ketaclinic.config.settings")
    development = importlib.import_module("ketaclinic_devtools.settings")
    assert "ketaclinic_devtools" not in product.INSTALLED_APPS
    assert not any(app.startswith("ketaclinic_devtools") for app in product.INSTALLED_APPS)
    # the development settings are the product's plus the generator
    assert [*product.INSTALLED_APPS, "ketaclinic_devtools"] == development.INSTALLED_APPS


def test_no_product_module_imports_the_development_tools():
    importers = []
    for path in sorted(PRODUCT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(name.split(".")[0] == "ketaclinic_devtools" for name in names):
                importers.append(str(path.relative_to(PRODUCT)))
    assert importers == []


@pytest.mark.django_db
def test_a_database_with_a_clinic_the_generator_did_not_create_is_refused_naming_it():
    # given a clinic created through the product
    make_clinic("Lakeside Clinic", "lakeside")
    # when the generator is asked to seed into its database
    with pytest.raises(CommandError) as refused:
        run_command(patients=5)
    # then it refuses, names the clinic and says how to go on anyway
    assert "Lakeside Clinic (lakeside)" in str(refused.value)
    assert "--force" in str(refused.value)
    assert not Patient.objects.exists()
    assert list(Clinic.objects.values_list("slug", flat=True)) == ["lakeside"]


@pytest.mark.django_db
def test_a_clinic_is_the_generators_by_its_marker_not_by_its_slug():
    # given a real clinic that happens to be called like a registry clinic
    make_clinic("Registry Clinic 9", "registry-9")
    # when the generator is asked to seed, then the clinic counts as a real one
    with pytest.raises(CommandError, match=r"Registry Clinic 9 \(registry-9\)"):
        run_command(patients=5)
    # while the clinics the generator made carry its marker
    make_clinic("Elsewhere", "elsewhere")
    run_command(patients=5, force=True)
    marked = GeneratedClinic.objects.values_list("clinic__slug", "seed", "as_of")
    assert list(marked) == [("registry-1", 2026, AS_OF)]


@pytest.mark.django_db
def test_force_adds_the_registry_next_to_a_real_clinic_and_leaves_it_alone():
    # given a real clinic
    real = make_clinic("Lakeside Clinic", "lakeside")
    # when the generator runs with --force
    out = run_command(patients=12, force=True)
    # then the registry is added and the real clinic has none of its rows
    assert "Seeded 12 patients in 1 clinic(s) (registry-1)" in out
    assert Patient.objects.filter(clinic__slug="registry-1").count() == 12
    assert not Patient.objects.filter(clinic=real).exists()
    assert not GeneratedClinic.objects.filter(clinic=real).exists()


@pytest.mark.django_db
def test_force_never_writes_over_an_existing_registry_clinic():
    seed_registry(patients=5, seed=1, as_of=AS_OF, password="pw-for-tests")
    with pytest.raises(CommandError, match="already exist"):
        run_command(patients=5, force=True)
    assert Patient.objects.count() == 5


@pytest.mark.django_db
def test_the_registry_never_writes_over_an_existing_registry_clinic_made_elsewhere():
    # given a real clinic holding a registry clinic's slug, with --force
    make_clinic("Not a registry", "registry-1")
    # then the generator still refuses rather than write into it
    with pytest.raises(CommandError, match=r"already exist \(registry-1\)"):
        run_command(patients=5, force=True)


@pytest.mark.django_db(transaction=True)
def test_a_row_that_references_nothing_makes_the_run_fail_instead_of_being_written(monkeypatch):
    # given a generator that writes one referral pointing at a patient that does not exist
    original = Generator.patient
    ghost = "0" * 31 + "1"

    def patient_with_a_dangling_referral(self, ctx, number):
        original(self, ctx, number)
        if number == 3:
            row = self.t_referral.rows[-1]
            self.t_referral.add((self.pools.uuid(), row[1], row[2], ghost, *row[4:]))

    monkeypatch.setattr(Generator, "patient", patient_with_a_dangling_referral)
    # when it seeds outside any transaction, so each of its transactions commits
    with pytest.raises(IntegrityError):
        seed_registry(patients=5, seed=3, as_of=AS_OF, password="pw-for-tests")
    # then the database's foreign-key check refused the commit: no patient, no dangling row
    assert not Referral.objects.filter(patient_id=ghost).exists()
    assert not Patient.objects.exists()
