"""QIDS-SR16 as printed: item 6 or 7 (appetite) and item 8 or 9 (weight), one of each is enough.

Rush AJ et al. Biol Psychiatry 2003;54:573-583 and the published form's instructions.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from ketaclinic.measures import rules
from ketaclinic.measures.instruments import INSTRUMENTS
from ketaclinic.measures.models import MeasureResponse
from ketaclinic.measures.services import send_measure_request

QIDS = INSTRUMENTS["qids_sr16"]


def printed_form(**by_item):
    """A QIDS-SR16 answered as the printed form asks: item 6 (not 7) and item 8 (not 9)."""
    answers = {str(n): 0 for n in range(1, 17) if n not in (7, 9)}
    answers.update({k.removeprefix("i"): v for k, v in by_item.items()})
    return {k: v for k, v in answers.items() if v is not None}


# --- the rule ----------------------------------------------------------------------------------


def test_item_6_answered_and_item_7_blank_is_complete_and_scored():
    # given decreased appetite 2, increased appetite left blank, weight loss 1, gain blank
    answers = printed_form(i5=1, i6=2, i8=1)
    # when scored
    result = rules.score(QIDS, answers)
    # then the appetite/weight domain scores its highest answered item: 1 + 2
    assert result.total == 3
    assert "7" not in result.answers and "9" not in result.answers


def test_item_7_alone_and_item_9_alone_are_also_complete():
    answers = printed_form(i6=None, i7=3, i8=None, i9=1)
    assert rules.score(QIDS, answers).total == 3


def test_neither_6_nor_7_is_rejected_naming_the_pair():
    # given the appetite pair left blank
    answers = printed_form(i6=None)
    # when validated
    errors = rules.validate_answers(QIDS, answers)
    # then both items of the pair are named, and nothing else
    assert [e.item for e in errors] == ["6", "7"]
    assert all("item 6 or item 7" in e.message for e in errors)


def test_neither_8_nor_9_is_rejected_naming_that_pair():
    errors = rules.validate_answers(QIDS, printed_form(i8=None))
    assert [e.item for e in errors] == ["8", "9"]
    assert "item 8 or item 9" in errors[0].message


def test_both_items_of_a_pair_answered_take_the_higher():
    # given decreased appetite 1 and increased appetite 3 both answered
    answers = printed_form(i6=1, i7=3)
    # then the domain adds 3
    assert rules.score(QIDS, answers).total == 3


def test_sleep_and_psychomotor_items_are_still_each_required():
    answers = printed_form()
    del answers["2"], answers["16"]
    assert [e.item for e in rules.validate_answers(QIDS, answers)] == ["2", "16"]


def test_an_out_of_range_answer_in_a_pair_is_still_named():
    errors = rules.validate_answers(QIDS, printed_form(i6=4))
    assert [str(e) for e in errors] == ["item 6: 4 is out of range 0-3"]


def test_an_unanswered_pair_counts_as_one_question_to_answer():
    assert rules.questions_to_answer(QIDS, ["2", "6", "7", "8", "9"]) == 3


# --- staff entry (API and form) ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_accepts_item_7_blank_and_names_the_pair_when_both_are_blank(api, nurse, patient):
    client = api(nurse)
    path = f"/patients/{patient.id}/measures"
    # when a nurse records the printed form with item 7 and item 9 blank
    saved = client.post(path, {"instrument": "qids_sr16", "answers": printed_form(i6=2)})
    # then it is saved and scored
    assert saved.status_code == 201, saved.content
    assert saved.json()["total"] == 2
    # and a form with neither 6 nor 7 answers 422 naming both items, saving nothing
    refused = client.post(path, {"instrument": "qids_sr16", "answers": printed_form(i6=None)})
    assert refused.status_code == 422
    assert set(refused.json()["fields"]) == {"answers.6", "answers.7"}
    assert MeasureResponse.objects.count() == 1


@pytest.mark.django_db
def test_the_clinician_form_accepts_the_blank_item(web, nurse, patient):
    url = reverse("measures:record", kwargs={"patient_id": patient.id, "instrument": "qids_sr16"})
    page = web(nurse).get(url).content.decode()
    assert "Answer question 6 or question 7: one of them is enough." in page
    form = {f"qids_sr16-{k}": str(v) for k, v in printed_form(i6=1, i8=2).items()}
    response = web(nurse).post(url, form)
    assert response.status_code == 302
    assert MeasureResponse.objects.get().total == 2


@pytest.mark.django_db
def test_the_clinician_form_marks_both_items_when_the_pair_is_blank(web, nurse, patient):
    url = reverse("measures:record", kwargs={"patient_id": patient.id, "instrument": "qids_sr16"})
    form = {f"qids_sr16-{k}": str(v) for k, v in printed_form(i8=None).items()}
    html = web(nurse).post(url, form).content.decode()
    assert "Nothing was saved" in html
    assert html.count("answer item 8 or item 9") == 2
    assert not MeasureResponse.objects.exists()


# --- the patient's self-report page ------------------------------------------------------------


@pytest.mark.django_db
def test_the_self_report_page_accepts_one_item_of_each_pair(nurse, patient):
    sent = send_measure_request(actor=nurse, patient=patient, instruments=["qids_sr16"])
    path = "/r/" + re.search(r"/r/([^/]+)/$", sent.url).group(1) + "/"
    client = Client()
    assert "one of two is enough" in client.get(path).content.decode()
    # given the pair of weight items left blank: one question is asked for, not two
    blank = {f"qids_sr16-{k}": str(v) for k, v in printed_form(i8=None).items()}
    html = client.post(path, blank).content.decode()
    assert "1 question still needs an answer" in html
    assert not MeasureResponse.objects.exists()
    # when the patient answers item 8 and leaves item 9 blank
    complete = {f"qids_sr16-{k}": str(v) for k, v in printed_form(i8=1).items()}
    assert client.post(path, complete).status_code == 302
    # then the response is saved with the weight domain scored from item 8
    saved = MeasureResponse.objects.get()
    assert (saved.total, saved.source, "9" in saved.answers) == (1, "self_report", False)
