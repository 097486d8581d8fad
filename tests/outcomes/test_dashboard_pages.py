"""The dashboard and equity pages show the figures with server-side plots, in bounded queries."""

from datetime import date

import pytest

from tests.outcomes.builders import MARCH_3, hand_built_registry, make_course, make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(prescriber, front_desk):
    return hand_built_registry(prescriber, front_desk)


def test_the_dashboard_shows_rates_with_their_counts_and_inline_svg_plots(
    registry, web, prescriber
):
    page = web(prescriber).get("/outcomes/").content.decode()
    # the headline figures with numerator and denominator
    assert "80.0%" in page and "(4/5 evaluable courses)" in page
    assert "40.0%" in page
    # plots are inline SVG drawn on the server: no script, no CDN
    for plot in ("plot-weekly", "plot-milestones", "plot-km", "plot-protocols"):
        assert f'id="{plot}"' in page
    assert page.count("<svg") >= 4
    assert "cdn" not in page.lower()


def test_the_dashboard_filters_by_protocol_and_date(registry, web, prescriber):
    page = (
        web(prescriber)
        .get("/outcomes/", {"protocol": "iv_ketamine", "start": "2025-05-01"})
        .content.decode()
    )
    assert 'data-kpi="patients">1<' in page
    assert "plot-protocols" not in page  # one protocol: no comparison plot


def test_a_bad_date_range_shows_the_error_and_no_figures(registry, web, prescriber):
    response = web(prescriber).get("/outcomes/", {"start": "2025-06-01", "end": "2025-05-01"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "must not be before" in page
    assert "data-kpi" not in page


@pytest.mark.parametrize("path", ["/outcomes/", "/outcomes/equity/"])
@pytest.mark.parametrize(
    "query", [{"start": "2025-13-40"}, {"protocol": "no_such_protocol"}], ids=["date", "protocol"]
)
def test_a_malformed_filter_is_a_422_like_a_reversed_range(
    registry, web, clinic_admin, path, query
):
    response = web(clinic_admin).get(path, query)
    assert response.status_code == 422
    assert "data-kpi" not in response.content.decode()


def test_the_equity_view_marks_suppressed_cells(registry, web, clinic_admin):
    page = web(clinic_admin).get("/outcomes/equity/").content.decode()
    assert "Counts under 11 are <strong>suppressed</strong>" in page
    assert '<span class="suppressed">suppressed</span>' in page
    assert 'id="plot-equity-race"' in page
    # no raw small count leaks into a table cell
    assert "<td>1</td>" not in page and "<td>2</td>" not in page


def test_the_dashboard_needs_the_same_queries_for_a_small_and_a_larger_registry(
    registry, web, prescriber, front_desk, django_assert_num_queries
):
    client = web(prescriber)
    client.get("/outcomes/")  # warm up sessions and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get("/outcomes/")
    # given twelve more courses with sessions and scores
    for i in range(12):
        patient = make_patient(front_desk, f"Extra{i}")
        make_course(
            prescriber,
            patient,
            "iv_ketamine",
            MARCH_3,
            "completed",
            doses={1: 0, 2: 2, 3: 4},
            scores=((0, 20), (2, 12), (4, 8)),
        )
    # then the page needs exactly as many queries
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/outcomes/")
    # (PostgreSQL adds a savepoint and two transaction-local settings around the summary)
    assert len(small.captured_queries) <= 16


def test_the_equity_view_needs_a_fixed_number_of_queries(
    registry, web, clinic_admin, django_assert_max_num_queries
):
    client = web(clinic_admin)
    client.get("/outcomes/equity/")
    # session, user, protocols, cut-offs, the breakdown (+ a savepoint and two settings on
    # PostgreSQL): the same for any registry size
    with django_assert_max_num_queries(13):
        client.get("/outcomes/equity/", {"end": date(2025, 12, 31).isoformat()})
