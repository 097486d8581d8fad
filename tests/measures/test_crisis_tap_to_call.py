"""Crisis lines on the patient's pages are tap-to-call links on a phone."""

import re

import pytest
from django.test import Client

from ketaclinic.measures.services import send_measure_request
from ketaclinic.web.templatetags.clinic import tel_links

from .conftest import phq9

pytestmark = pytest.mark.django_db


def test_the_thank_you_page_links_988_and_911_for_calling(nurse, patient):
    # given a patient who answered a PHQ-9 through a link
    sent = send_measure_request(actor=nurse, patient=patient, instruments=["phq9"])
    url = re.search(r"/r/[^/]+/$", sent.url).group(0)
    client = Client()
    answers = {f"phq9-{k}": str(v) for k, v in phq9(each=1).items()}
    thanks = client.get(client.post(url, answers)["Location"]).content.decode()
    # then each crisis number is a tel: link
    assert '<a href="tel:988">988</a>' in thanks
    assert '<a href="tel:911">911</a>' in thanks


def test_the_link_unavailable_page_links_the_crisis_numbers():
    html = Client().get("/r/" + "A" * 43 + "/").content.decode()
    assert '<a href="tel:988">988</a>' in html and '<a href="tel:911">911</a>' in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call or text 988 now", 'call or text <a href="tel:988">988</a> now'),
        ("call (555) 123-4567.", 'call <a href="tel:5551234567">(555) 123-4567</a>.'),
        ("+44 20 7946 0958", '<a href="tel:+442079460958">+44 20 7946 0958</a>'),
        ("open 24/7 since 2024", "open 24/7 since 2024"),
        ("Help & <advice>", "Help &amp; &lt;advice&gt;"),
    ],
)
def test_phone_numbers_in_text_become_links_and_other_text_is_escaped(text, expected):
    assert tel_links(text) == expected
