"""A clinic's copy of the US esketamine protocol may be stricter than the label, never looser:
28 mg devices 5 minutes apart, at least 2 hours of observation from the first device, a
prescriber on site, a REMS form for each session (Spravato label and REMS, FDA REMS id 386)."""

import dataclasses
from types import SimpleNamespace

import pytest

from ketaclinic.core.errors import InvalidInput
from ketaclinic.protocols import queries, services
from ketaclinic.protocols.definitions import ESKETAMINE_TRD, ESKETAMINE_TRD_EU
from ketaclinic.protocols.editing import held_to_label, validate_definition
from ketaclinic.protocols.models import ProtocolVersion
from ketaclinic.treatments.state import definition_for


def _copy(**changes):
    parts = {}
    for name, value in changes.items():
        if "." in name:
            part, field = name.split(".")
            parts[part] = dataclasses.replace(getattr(ESKETAMINE_TRD, part), **{field: value})
        else:
            parts[name] = value
    return dataclasses.replace(ESKETAMINE_TRD, **parts)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"observation.minimum_min": 60}, "observation.minimum_min"),
        ({"observation.minimum_min": None}, "observation.minimum_min"),
        ({"observation.measured_from": "dose_end"}, "observation.minimum_min"),
        ({"dose.rest_between_devices_min": 0}, "dose.rest_between_devices_min"),
        ({"dose.rest_between_devices_min": None}, "dose.rest_between_devices_min"),
        ({"prescriber_on_site_required": False}, "prescriber_on_site_required"),
        ({"rems_form_required": False}, "rems_form_required"),
    ],
)
def test_a_us_copy_cannot_go_below_the_label(changes, named):
    problems = validate_definition(_copy(**changes))
    assert any(p.startswith(named) and "FDA REMS id 386" in p for p in problems), problems


def test_a_stricter_copy_and_the_built_in_protocols_pass():
    stricter = _copy(**{"observation.minimum_min": 150, "dose.rest_between_devices_min": 10})
    assert validate_definition(stricter) == []
    assert validate_definition(ESKETAMINE_TRD) == []
    assert validate_definition(ESKETAMINE_TRD_EU) == []


@pytest.mark.django_db
def test_the_clinic_cannot_save_a_shorter_observation(prescriber):
    before = ProtocolVersion.objects.count()
    with pytest.raises(InvalidInput) as refused:
        services.change_protocol(
            actor=prescriber,
            code="esketamine_trd",
            changes={"observation": {"minimum_min": 60}},
            note="Shorter chair time",
        )
    assert "at least 120 minutes from the first device" in str(refused.value.fields)
    assert ProtocolVersion.objects.count() <= before + 1  # at most the built-in version
    assert not any(
        v.definition.get("observation", {}).get("minimum_min") == 60
        for v in ProtocolVersion.objects.all()
    )


def test_a_looser_copy_saved_before_the_check_is_read_with_the_label_floors():
    looser = _copy(
        **{
            "observation.minimum_min": 60,
            "dose.rest_between_devices_min": 0,
            "prescriber_on_site_required": False,
            "rems_form_required": False,
        }
    )
    held = held_to_label(looser)
    assert (held.observation.minimum_min, held.observation.measured_from) == (120, "first_device")
    assert "FDA REMS id 386" in held.observation.source
    assert held.dose.rest_between_devices_min == 5
    assert held.prescriber_on_site_required and held.rems_form_required
    # a stricter copy keeps its own values; other jurisdictions are left as they are
    stricter = _copy(**{"observation.minimum_min": 150})
    assert held_to_label(stricter) == stricter
    assert held_to_label(ESKETAMINE_TRD_EU) == ESKETAMINE_TRD_EU


@pytest.mark.django_db
def test_a_stored_looser_version_applies_the_floors(prescriber):
    version = services.ensure_version(prescriber.clinic, "esketamine_trd")
    data = dict(version.definition)
    data["observation"] = dict(data["observation"], minimum_min=60)
    stored = ProtocolVersion.objects.create(
        clinic=prescriber.clinic,
        code="esketamine_trd",
        base_code=version.base_code,
        version=version.version + 1,
        name=version.name,
        definition=data,
        change_note="Saved before the label floors were checked",
        created_by=prescriber,
    )
    assert queries.definition_of(stored).observation.minimum_min == 120
    # and a session running under it is discharged by the floors too
    session = SimpleNamespace(protocol_version=stored)
    assert definition_for(session).observation.minimum_min == 120
