"""With a read replica configured, the outcome summary and equity view read the fact tables
on the replica's connection, and the clinical reads and every write stay on default."""

import pytest
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext

from ketaclinic.outcomes import queries
from ketaclinic.outcomes.models import CourseFact
from tests.outcomes.builders import hand_built_registry
from tests.replica import replica_alias

# The replica is a second connection: it sees only committed rows, as a real replica would.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

FACT_TABLES = ("outcomes_coursefact", "outcomes_sessionfact", "outcomes_dayfact")


@pytest.fixture(scope="module", autouse=True)
def replica(django_db_setup):
    # module scope: the alias must exist before the test case checks its databases
    with replica_alias() as connection:
        yield connection


def tables_read(captured) -> set[str]:
    return {t for q in captured.captured_queries for t in FACT_TABLES if t in q["sql"]}


def writes(captured) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [
        q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(verbs)
    ]


@pytest.fixture
def registry(prescriber, front_desk):
    return hand_built_registry(prescriber, front_desk)


def test_the_summary_reads_the_facts_on_the_replica(registry, prescriber, api, replica):
    expected = queries.live_summary(prescriber)[0].as_dict({})
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        answer = queries.summary(prescriber)[0].as_dict({})
        response = api(prescriber).get("/outcomes/summary")
    assert answer == expected
    assert response.status_code == 200 and response.json()["courses"] == expected["courses"]
    # the fact queries (three each for the function and the API) ran on the replica only
    assert tables_read(on_replica) == {"outcomes_coursefact", "outcomes_dayfact"}
    assert len(on_replica.captured_queries) == 6
    assert tables_read(on_default) == set()
    # the clinic's protocols and cut-offs, the token and the audit row stay on default
    assert on_default.captured_queries
    assert writes(on_replica) == []


def test_the_equity_view_reads_the_facts_on_the_replica(registry, prescriber, replica):
    expected = queries.equity(prescriber, live=True)[0]
    with CaptureQueriesContext(replica) as on_replica:
        answer = queries.equity(prescriber)[0]
    assert answer == expected
    assert tables_read(on_replica) == {"outcomes_coursefact"}


def test_the_live_summary_and_the_facts_refresh_stay_on_default(registry, prescriber, replica):
    with CaptureQueriesContext(replica) as on_replica:
        queries.live_summary(prescriber)
        hand_built_registry(prescriber, prescriber)  # writes and refreshes facts
    assert on_replica.captured_queries == []


def test_a_read_inside_a_transaction_on_default_stays_on_default(replica):
    assert router.db_for_read(CourseFact) == "replica"
    with transaction.atomic():
        assert router.db_for_read(CourseFact) == "default"
        assert queries.facts_connection().alias == "default"
