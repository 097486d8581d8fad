"""An infusion of a few seconds or less is a bolus: it is refused as an infusion (naming the
field), never simulated into a flat zero curve, a NaN or a server error."""

import datetime as dt
import json

import pytest

from ketaclinic.pharmacokinetics import rules
from tests.pharmacokinetics.test_pk_api import with_changes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("minutes", [1e-300, 1e-14, 5e-324, 0.05])
def test_an_infusion_shorter_than_six_seconds_is_refused_naming_the_field(api, prescriber, minutes):
    doses = [{"route": "iv", "start_min": 0, "duration_min": minutes, "mg": 35}]
    answer = api(prescriber).post(
        "/pk/simulate", with_changes(doses=doses, threshold_ng_per_ml=100)
    )
    assert answer.status_code == 422
    assert "0 for a bolus" in answer.json()["fields"]["doses.0.duration_min"]


def test_the_shortest_infusion_reads_like_the_bolus(api, prescriber):
    def simulate(minutes):
        doses = [{"route": "iv", "start_min": 0, "duration_min": minutes, "mg": 35}]
        answer = api(prescriber).post(
            "/pk/simulate", with_changes(doses=doses, threshold_ng_per_ml=100)
        )
        assert answer.status_code == 200
        return json.loads(answer.content, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))

    bolus, shortest = simulate(0), simulate(rules.MIN_INFUSION_MIN)
    assert shortest["cmax_ng_per_ml"] == pytest.approx(bolus["cmax_ng_per_ml"], rel=0.05)
    assert shortest["below_threshold_from_min"] == pytest.approx(
        bolus["below_threshold_from_min"], abs=1
    )


def test_an_infusion_end_charted_seconds_after_its_start_is_drawn_as_a_bolus():
    start = dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC)
    doses = rules.charted_doses(
        "intravenous", 35, start=start, infusion_ended_at=start + dt.timedelta(seconds=1)
    )
    assert [d.duration_min for d in doses] == [0.0]
