"""No foreign key between clinic-scoped tables joins rows of two clinics (docs/scale.md): one
SQL join per key, generated from the models, over the demo clinic and a second clinic."""

from ketaclinic.core import sharding
from ketaclinic.treatments.models import DoseOrder


def test_no_foreign_key_joins_two_clinics(demo_clinic, other_patient):
    # (the demo clinic's full day, and a second clinic with a patient of its own)
    keys = sharding.clinic_foreign_keys()
    assert len(keys) > 50
    assert sharding.cross_clinic_rows() == {}


def test_the_check_finds_a_row_that_joins_two_clinics(demo_clinic, other_clinic):
    # given an order moved to another clinic behind the services' back
    order = DoseOrder.objects.filter(clinic=demo_clinic).first()
    DoseOrder.objects.filter(pk=order.pk).update(clinic=other_clinic)
    # then its key to the session joins two clinics
    assert sharding.cross_clinic_rows()["treatments.DoseOrder.session"] == 1
