"""DEA Form 106 data: thefts and losses in the past 24 months, and the purchase value."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from ketaclinic.inventory import services
from ketaclinic.inventory.models import LedgerEntry, LossFiling
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

# Noon in New York on 2026-03-20: the report is exported then.
EXPORT_TIME = dt.datetime(2026, 3, 20, 16, 0, tzinfo=dt.UTC)
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
COUNT = "Number of thefts or losses in the past 24 months"
VALUE = "Purchase value to the registrant of the substances taken (USD)"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(EXPORT_TIME, tick=False):
        yield


@pytest.fixture
def lose(ketamine_lot, safe, prescriber):
    """lose(discovered_on, **extra) -> a 10 mg loss recorded at noon clinic time that day."""

    def _lose(day: dt.date, **extra):
        noon = dt.datetime.combine(day, dt.time(17, 0), dt.UTC)
        return services.record_loss(
            actor=prescriber,
            lot=ketamine_lot,
            location=safe,
            quantity="10",
            loss_type="theft",
            discovered_on=day,
            circumstances="vial missing",
            now=noon,
            **extra,
        )

    return _lose


def rows(api, user, **query) -> list[dict]:
    response = api(user).get("/ledger/reports/form106", **{**MARCH, **query})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_count_takes_the_clinics_losses_of_the_24_months_before_each_loss(lose, api, auditor):
    # given losses discovered long ago, within 24 months, and this month
    lose(dt.date(2024, 3, 5))  # 24 months and a day before 2026-03-06
    lose(dt.date(2024, 6, 1))
    lose(dt.date(2025, 12, 24))
    lose(dt.date(2026, 3, 6))
    lose(dt.date(2026, 3, 9))
    # when the March report is exported
    march = rows(api, auditor)
    # then only March's losses are rows, each counting the losses before it, even those
    # outside the report's period, but none older than 24 months
    assert [(r["Date discovered"], r[COUNT]) for r in march] == [
        ("2026-03-06", "2"),
        ("2026-03-09", "3"),
    ]


def test_a_first_loss_reports_none_before_it(lose, api, auditor):
    lose(dt.date(2026, 3, 6))
    assert rows(api, auditor)[0][COUNT] == "0"


def test_the_purchase_value_given_with_the_loss_is_shown_to_the_cent(lose, api, auditor):
    lose(dt.date(2026, 3, 6), purchase_value="42.5")
    assert rows(api, auditor)[0][VALUE] == "42.50"


def test_a_value_given_with_the_form_106_filing_takes_precedence(lose, api, auditor, prescriber):
    # given a loss whose value was estimated at first, then filed on Form 106
    loss = lose(dt.date(2026, 3, 6), purchase_value="40")
    services.record_loss_filing(
        actor=prescriber,
        loss=loss,
        kind="form_106",
        filed_on=dt.date(2026, 3, 18),
        purchase_value="42.75",
    )
    # then the report shows the value filed
    assert rows(api, auditor)[0][VALUE] == "42.75"
    assert LossFiling.objects.get(loss=loss).purchase_value == pytest.approx(42.75)


def test_a_value_not_entered_yet_says_so(lose, api, auditor):
    lose(dt.date(2026, 3, 6))
    assert rows(api, auditor)[0][VALUE] == "not entered"


def test_the_value_is_under_the_ledgers_hash(lose):
    loss = lose(dt.date(2026, 3, 6), purchase_value="42.5")
    assert loss.hash_content()["data"]["purchase_value"] == "42.5"
    # a loss without a value has no such key, so earlier entries hash as before
    assert "purchase_value" not in lose(dt.date(2026, 3, 7)).data


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("-5", "negative"),
        ("1.234", "2 decimal places"),
        ("lots", "decimal"),
        ("1E+30", "plausible"),  # past what decimal rounding carries
    ],
)
def test_a_bad_purchase_value_is_422_naming_the_field(
    api, prescriber, ketamine_lot, safe, value, says
):
    before = LedgerEntry.objects.count()
    response = api(prescriber).post(
        "/ledger/losses",
        {
            "lot_id": str(ketamine_lot.pk),
            "location_id": str(safe.pk),
            "quantity": "10",
            "loss_type": "theft",
            "discovered_on": "2026-03-06",
            "circumstances": "vial missing",
            "purchase_value": value,
        },
    )
    assert response.status_code == 422
    assert says in response.json()["fields"]["purchase_value"]
    assert LedgerEntry.objects.count() == before


def test_a_purchase_value_belongs_to_the_form_106_filing_not_the_notice(lose, api, prescriber):
    loss = lose(dt.date(2026, 3, 6))
    response = api(prescriber).post(
        f"/ledger/losses/{loss.pk}/filings",
        {"kind": "notice", "filed_on": "2026-03-09", "purchase_value": "10"},
    )
    assert response.status_code == 422
    assert "purchase_value" in response.json()["fields"]
    assert not LossFiling.objects.exists()


def test_the_pdf_has_both_items_and_cites_form_106(lose, api, auditor):
    lose(dt.date(2026, 3, 6), purchase_value="42.5")
    response = api(auditor).get("/ledger/reports/form106", **MARCH, format="pdf")
    text = pdf_text(response)
    assert "past 24 months" in text
    assert "42.50" in text
    assert "1117-0001" in text


def test_the_loss_form_asks_the_value_and_dates_the_loss_by_the_clinics_day(web, prescriber):
    # given 23:30 in New York, already the next day in UTC
    with time_machine.travel(dt.datetime(2026, 3, 21, 3, 30, tzinfo=dt.UTC), tick=False):
        response = web(prescriber).get(reverse("inventory:loss"))
    form = response.context["form"]
    assert "purchase_value" in form.fields
    assert form["discovered_on"].value() == dt.date(2026, 3, 20)
