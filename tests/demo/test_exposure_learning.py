"""Exposure and recovery: each session's predicted exposure against what the clinic observed."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from scipy import stats

from ketaclinic.accounts.models import User
from ketaclinic.outcomes import pk_learning
from ketaclinic.pharmacokinetics import rules as pk

START = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def row(**changes):
    values = {
        "id": "s1",
        "protocol_version__definition__route": "intravenous",
        "order__dose_mg": Decimal("35.0"),
        "order__duration_min": 40,
        "order__devices": None,
        "order__weight_kg": Decimal("70.0"),
        "weight_kg": Decimal("70.0"),
        "patient__date_of_birth": dt.date(1986, 3, 2),
        "patient__sex": "female",
        "dose_started_at": START,
        "infusion_ended_at": START + dt.timedelta(minutes=40),
        "last_device_at": None,
        "devices_given": 0,
        "ready_to_leave_at": START + dt.timedelta(minutes=95),
        "discharged_at": START + dt.timedelta(minutes=120),
        "peak_cadss6": 9,
    }
    return values | changes


def test_an_infusion_is_simulated_as_given_with_the_published_model():
    point = pk_learning.predict_session(row())
    direct = pk.predict(
        "clements_1981",
        pk.Patient(weight_kg=70.0, age_years=(START.date() - dt.date(1986, 3, 2)).days / 365.25),
        [pk.Dose("iv", 35.0, start_min=0.0, duration_min=40.0)],
        until_min=121,
        step_min=1.0,
    )
    assert point.cmax == pytest.approx(direct.cmax)
    assert point.at_discharge == pytest.approx(float(direct.plasma[120]))
    assert point.minutes_to_ready == 95
    assert point.peak_cadss6 == 9


def test_the_infusion_that_ran_longer_is_simulated_over_the_minutes_it_ran():
    slow = pk_learning.doses_of(row(infusion_ended_at=START + dt.timedelta(minutes=55)))
    assert slow == [pk.Dose("iv", 35.0, start_min=0.0, duration_min=55.0)]


def test_nasal_devices_are_spread_over_the_recorded_first_and_last_device_times():
    doses = pk_learning.doses_of(
        row(
            **{"protocol_version__definition__route": "intranasal"},
            order__dose_mg=Decimal("84.0"),
            devices_given=3,
            last_device_at=START + dt.timedelta(minutes=10),
        )
    )
    assert doses == [
        pk.Dose("intranasal", 28.0, time_min=0.0),
        pk.Dose("intranasal", 28.0, time_min=5.0),
        pk.Dose("intranasal", 28.0, time_min=10.0),
    ]


def test_a_session_without_what_a_prediction_needs_is_left_out_with_the_reason():
    rows = [
        row(id="a"),
        row(id="b", discharged_at=None),
        row(id="c", order__weight_kg=None, weight_kg=None),
        row(id="d", order__duration_min=None, infusion_ended_at=None),
    ]
    learning = pk_learning.learn(rows, "intravenous")
    assert [p.session_id for p in learning.points] == ["a"]
    assert learning.skipped == {
        "no discharge time": 1,
        "no weight or age": 1,
        "no infusion duration": 1,
    }


def test_the_fitted_line_matches_an_independent_regression_and_its_band_holds_the_line():
    rng = np.random.default_rng(7)
    xs = rng.uniform(50, 250, 40)
    ys = 60 + 0.3 * xs + rng.normal(0, 10, 40)
    fit = pk_learning.fit_line(xs, ys)
    reference = stats.linregress(xs, ys)
    assert fit.slope == pytest.approx(reference.slope)
    assert fit.intercept == pytest.approx(reference.intercept)
    assert fit.r_squared == pytest.approx(reference.rvalue**2)
    assert fit.p_value == pytest.approx(reference.pvalue)
    t = stats.t.ppf(0.975, len(xs) - 2)
    assert fit.slope_low == pytest.approx(reference.slope - t * reference.stderr)
    for low, mean, high in zip(fit.band_low, fit.band_mean, fit.band_high, strict=True):
        assert low < mean < high
    widths = np.array(fit.band_high) - np.array(fit.band_low)
    assert widths[len(widths) // 2] < widths[0]  # narrowest near the mean of x


def test_no_line_is_fitted_through_fewer_than_three_points_or_one_x():
    assert pk_learning.fit_line([1.0, 2.0], [3.0, 4.0]) is None
    assert pk_learning.fit_line([5.0, 5.0, 5.0], [1.0, 2.0, 3.0]) is None


# --- the page on the demo clinic -----------------------------------------------------------


@pytest.fixture
def demo_users(demo_clinic, db):
    people = User.objects.filter(clinic=demo_clinic, is_active=True)
    return {user.role: user for user in people.order_by("username")}


def test_a_prescriber_sees_each_relation_with_its_fit_labelled_as_decision_support(
    demo_users, web, django_assert_max_num_queries
):
    client = web(demo_users["prescriber"])
    with django_assert_max_num_queries(20):
        page = client.get("/outcomes/exposure/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Decision support." in text
    assert "sessions simulated with" in text
    assert "<strong>0</strong> session" not in text
    assert "n = " in text  # at least one relation has enough sessions for a line
    assert 'class="fit"' in text and 'class="band"' in text
    assert text.count('outcome-chart scatter"') == 4
    assert "confidence band" in text
    assert "PMID" in text  # the model's citation


def test_nurses_and_front_desk_do_not_see_clinic_analytics(demo_users, web):
    for role in ("nurse", "front_desk"):
        assert web(demo_users[role]).get("/outcomes/exposure/").status_code == 403
