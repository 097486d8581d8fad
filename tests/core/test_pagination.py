"""Shared pagination: a count capped at a limit, pages that stay right past it, at most two
queries, one when the page is the last."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketaclinic.core.models import Clinic, Organization
from ketaclinic.core.pagination import MAX_PAGE, page_number, paginate

pytestmark = pytest.mark.django_db


def _clinics(n: int):
    network = Organization.objects.create(name="Network")
    Clinic.objects.bulk_create(
        Clinic(name=f"Clinic {i:03d}", slug=f"clinic-{i:03d}", organization=network)
        for i in range(n)
    )
    return Clinic.objects.order_by("name")


def test_a_list_under_the_cap_is_counted_exactly():
    # given 30 rows, 25 a page
    rows = _clinics(30)
    # when
    first, second = paginate(rows, 1), paginate(rows, "2")
    # then
    assert (first.counted, first.count_is_exact, first.count_text) == (30, True, "30")
    assert (first.counted_pages, first.has_next, len(first.items)) == (2, True, 25)
    assert (second.page, second.has_next, [c.name for c in second.items][-1]) == (
        2,
        False,
        "Clinic 029",
    )


def test_counting_stops_at_the_cap_and_says_there_are_more():
    # given 30 rows, 5 a page, a cap of 10
    rows = _clinics(30)
    # when
    page = paginate(rows, 1, per_page=5, count_cap=10)
    # then the page knows 10 rows and that more follow
    assert (page.counted, page.count_is_exact, page.count_text) == (10, False, "10+")
    assert (page.counted_pages, page.has_next) == (3, True)


def test_pages_past_the_cap_are_reached_and_the_last_page_is_known_there():
    rows = _clinics(30)
    fifth = paginate(rows, 5, per_page=5, count_cap=10)
    sixth = paginate(rows, 6, per_page=5, count_cap=10)
    assert [c.name for c in fifth.items] == [f"Clinic {i:03d}" for i in range(20, 25)]
    assert (fifth.has_next, fifth.count_is_exact, fifth.count_text) == (True, False, "25+")
    assert (sixth.has_next, sixth.count_is_exact, sixth.counted_pages) == (False, True, 6)


def test_a_page_past_the_end_shows_the_last_page():
    rows = _clinics(30)
    page = paginate(rows, 99, per_page=5, count_cap=10)
    assert (page.page, len(page.items), page.has_next) == (6, 5, False)


@pytest.mark.parametrize(
    ("asked", "page"),
    [(None, 1), ("", 1), ("abc", 1), ("0", 1), ("-3", 1), ("2", 2), (" 2 ", 2), ("1e3", 1)],
)
def test_a_page_number_that_is_not_a_whole_number_from_1_is_the_first_page(asked, page):
    assert page_number(asked) == page


def test_a_full_page_costs_two_queries_and_the_count_stops_at_the_cap():
    # given more rows than the cap
    rows = _clinics(30)
    # when
    with CaptureQueriesContext(connection) as queries:
        paginate(rows, 1, per_page=5, count_cap=10)
    # then one page and one capped count (it reads at most cap + 1 rows)
    count_sql = queries.captured_queries[1]["sql"]
    assert len(queries.captured_queries) == 2
    assert "COUNT(" in count_sql.upper() and "LIMIT 11" in count_sql.upper()


@pytest.mark.parametrize(("rows", "page", "counted"), [(0, 1, 0), (3, 1, 3), (12, 3, 12)])
def test_the_last_page_when_not_full_is_one_query_and_counts_exactly(rows, page, counted):
    # given a list whose asked page is its last and not full
    clinics = _clinics(rows)
    # when
    with CaptureQueriesContext(connection) as queries:
        found = paginate(clinics, page, per_page=5)
    # then the page alone: no count, and the count is exact
    assert len(queries.captured_queries) == 1
    assert "COUNT(" not in queries.captured_queries[0]["sql"].upper()
    assert (found.page, found.counted, found.count_is_exact) == (page, counted, True)
    assert (found.has_next, found.counted_pages) == (False, max(1, page))
    assert len(found.items) == counted - (page - 1) * 5


def test_a_page_exactly_full_at_the_end_still_knows_no_page_follows():
    rows = _clinics(10)
    second = paginate(rows, 2, per_page=5)
    assert (len(second.items), second.has_next, second.counted, second.count_is_exact) == (
        5,
        False,
        10,
        True,
    )


def test_lists_that_still_read_count_get_the_exact_total_at_one_more_query():
    # given a page of a list longer than the cap
    rows = _clinics(30)
    page = paginate(rows, 1, per_page=5, count_cap=10)
    # when a list that has not moved to count_text reads count and pages
    with CaptureQueriesContext(connection) as queries:
        exact = (page.count, page.pages, page.count, page.pages)
    # then they are exact, counted once
    assert exact == (30, 6, 30, 6)
    assert len(queries.captured_queries) == 1


def test_an_exact_count_is_never_counted_twice():
    rows = _clinics(12)
    page = paginate(rows, 1, per_page=5)
    with CaptureQueriesContext(connection) as queries:
        assert (page.count, page.pages) == (12, 3)
    assert queries.captured_queries == []


def test_a_page_number_past_any_real_list_shows_the_last_page():
    assert page_number("99999999999999999999") == MAX_PAGE
    rows = _clinics(30)
    page = paginate(rows, "99999999999999999999", per_page=5, count_cap=10)
    assert (page.page, len(page.items), page.has_next) == (6, 5, False)


HUGE = "99999999999999999999"


def test_lists_answer_a_huge_page_number_clearly(api, web, auditor, prescriber):
    # the API refuses it naming the field; a page shows its last page
    for user, path in ((auditor, "/audit-events"), (prescriber, "/patients")):
        answer = api(user).get(path, page=HUGE)
        assert answer.status_code == 422, (path, answer.status_code)
        assert "page" in str(answer.json())
    for user, path in ((prescriber, "/patients/"), (auditor, "/audit/")):
        assert web(user).get(path, {"page": HUGE}).status_code == 200, path
