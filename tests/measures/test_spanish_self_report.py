"""Self-report in Spanish: the publisher's Spanish PHQ-9 and GAD-7, chosen by the patient's
preferred language or by a switch on the page; scoring and safety alerts as in English."""

import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from ketaclinic.measures.models import MeasureResponse, SafetyAlert
from ketaclinic.measures.services import send_measure_request
from ketaclinic.patients.services import update_patient

from .conftest import phq9

pytestmark = pytest.mark.django_db

# The publisher's Spanish version for the USA, as printed.
PHQ9_ES_STEM = (
    "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
    "siguientes problemas?"
)
PHQ9_ES_ITEM1 = "Poco interés o placer en hacer cosas"
PHQ9_ES_ITEM9 = "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera"
GAD7_ES_ITEM1 = "Sentirse nervioso/a, intranquilo/a o con los nervios de punta"


def token_of(url):
    return re.search(r"/r/([^/]+)/$", url).group(1)


def form_data(prefix, answers):
    return {f"{prefix}-{k}": str(v) for k, v in answers.items()}


@pytest.fixture
def spanish_patient(front_desk, patient):
    return update_patient(actor=front_desk, patient=patient, preferred_language="es")


def link_for(nurse, patient, instruments=("phq9",)):
    sent = send_measure_request(actor=nurse, patient=patient, instruments=list(instruments))
    return f"/r/{token_of(sent.url)}/"


def test_a_patient_who_prefers_spanish_gets_the_official_spanish_phq9(nurse, spanish_patient):
    response = Client().get(link_for(nurse, spanish_patient))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es">' in html
    assert response["Content-Language"] == "es"
    assert "Su cuestionario" in html
    assert PHQ9_ES_STEM in html
    assert PHQ9_ES_ITEM1 in html
    assert PHQ9_ES_ITEM9 in html
    assert "Ningún día" in html and "Casi todos los días" in html
    assert "No ha sido difícil" in html and "Opcional" in html
    assert "Enviar mis respuestas" in html
    # nothing of the English form is left
    assert "Little interest or pleasure" not in html
    assert "Not at all" not in html
    assert "Send my answers" not in html


def test_the_gad7_is_in_its_official_spanish_too(nurse, spanish_patient):
    html = Client().get(link_for(nurse, spanish_patient, ["gad7"])).content.decode()
    assert GAD7_ES_ITEM1 in html
    assert "Sentir miedo como si algo terrible pudiera pasar" in html
    assert "Nunca" in html
    assert "Feeling nervous" not in html


def test_a_patient_who_prefers_english_gets_english(nurse, patient):
    html = Client().get(link_for(nurse, patient)).content.decode()
    assert '<html lang="en">' in html
    assert "Little interest or pleasure in doing things" in html
    assert PHQ9_ES_ITEM1 not in html


def test_the_switch_changes_the_language_of_that_link_only(nurse, patient):
    # given an English-speaking patient with two open links
    first = link_for(nurse, patient)
    second = link_for(nurse, patient)
    page = Client().get(first).content.decode()
    # the page offers Spanish
    assert 'href="?lang=es"' in page and ">Español</a>" in page
    # when the patient follows the switch on the first link
    switched = Client().get(first + "?lang=es").content.decode()
    # then that link is in Spanish, offers English back, and the other link stays English
    assert PHQ9_ES_ITEM9 in switched
    assert 'href="?lang=en"' in switched
    assert "Thoughts that you would be better off dead" in Client().get(second).content.decode()


def test_the_switch_also_takes_a_spanish_speaker_back_to_english(nurse, spanish_patient):
    html = Client().get(link_for(nurse, spanish_patient) + "?lang=en").content.decode()
    assert "Thoughts that you would be better off dead" in html
    assert PHQ9_ES_ITEM9 not in html


def test_an_unknown_language_falls_back_to_the_patients_own(nurse, spanish_patient):
    html = Client().get(link_for(nurse, spanish_patient) + "?lang=xx").content.decode()
    assert PHQ9_ES_ITEM9 in html


def submit(url, answers):
    client = Client()
    response = client.post(url, form_data("phq9", answers))
    return client, response


def test_spanish_answers_score_and_alert_exactly_as_english_ones(nurse, spanish_patient_factory):
    # given the same answers, item 9 = 1, sent once in English and once in Spanish
    answers = phq9(each=2, item9=1, i10=1)
    english = spanish_patient_factory("en")
    spanish = spanish_patient_factory("es")
    submit(link_for(nurse, english), answers)
    submit(link_for(nurse, spanish), answers)
    # then both are saved with the same total, severity and answers
    en = MeasureResponse.objects.get(patient=english)
    es = MeasureResponse.objects.get(patient=spanish)
    assert (es.total, es.severity, es.answers) == (en.total, en.severity, en.answers)
    assert es.total == 17
    # and both raised the same PHQ-9 item 9 alert for a prescriber
    en_alert = SafetyAlert.objects.get(patient=english)
    es_alert = SafetyAlert.objects.get(patient=spanish)
    assert es_alert.code == en_alert.code == "phq9_item9"
    assert es_alert.message == en_alert.message
    assert es_alert.status == "open"


@pytest.fixture
def spanish_patient_factory(front_desk):
    from ketaclinic.patients.services import register_patient

    def _make(language):
        return register_patient(
            actor=front_desk,
            given_name="María" if language == "es" else "Mary",
            family_name="Soto",
            date_of_birth="1975-06-01",
            sex="female",
            preferred_language=language,
        )

    return _make


def test_no_alert_when_item9_is_zero_in_spanish(nurse, spanish_patient):
    submit(link_for(nurse, spanish_patient), phq9(each=1, item9=0))
    assert MeasureResponse.objects.get().total == 8
    assert not SafetyAlert.objects.exists()


def test_a_spanish_page_names_missing_answers_in_spanish(nurse, spanish_patient):
    answers = phq9()
    del answers["4"], answers["9"]
    _client, response = submit(link_for(nurse, spanish_patient), answers)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Todavía no se ha enviado nada: 2 preguntas siguen sin respuesta." in html
    assert html.count("Responda esta pregunta.") == 2
    assert "Missing" not in html
    assert not MeasureResponse.objects.exists()


def words(html: str) -> str:
    """The page's text as a reader sees it (links such as tap-to-call numbers unwrapped)."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_the_thank_you_page_and_crisis_lines_are_in_spanish(nurse, spanish_patient):
    client, response = submit(link_for(nurse, spanish_patient), phq9())
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    text = words(html)
    assert "<h1>Gracias</h1>" in html
    assert "Si necesita ayuda ahora" in text
    assert "Llame o envíe un mensaje de texto al 988" in text
    # the 988 Lifeline's Spanish service (988lifeline.org), tap-to-call on a phone
    assert "llame al 988 y oprima 2, o envíe AYUDA por texto al 988" in text
    assert 'href="tel:988"' in html
    assert "Thank you" not in text


def test_the_english_thank_you_page_is_unchanged(nurse, patient):
    client, response = submit(link_for(nurse, patient), phq9())
    text = words(client.get(response["Location"]).content.decode())
    assert "Thank you" in text and "Call or text 988" in text
    assert "AYUDA" not in text


def test_a_used_link_says_so_in_spanish(nurse, spanish_patient):
    url = link_for(nurse, spanish_patient)
    submit(url, phq9())
    again = Client().get(url)
    assert again.status_code == 410
    assert "Este enlace ya se usó" in again.content.decode()


def test_a_scale_without_a_spanish_translation_stays_in_english_with_a_notice(
    nurse, spanish_patient
):
    html = Client().get(link_for(nurse, spanish_patient, ["qids_sr16"])).content.decode()
    assert "todavía no tiene una traducción autorizada en su idioma" in html
    assert "I never take longer than 30 minutes to fall asleep." in html
    # the page around it is still Spanish
    assert "Enviar mis respuestas" in html


def qids_translation(tmp_path, **changes):
    """A clinic's licensed translation file (placeholder wording for the test)."""
    data = {
        "instrument": "qids_sr16",
        "language": "es",
        "licence_note": "Licensed translation",
        "instructions": "Instrucciones de la traducción autorizada",
        "items": {
            str(n): {
                "text": f"Pregunta autorizada {n}",
                "options": {str(v): f"Respuesta {n}.{v}" for v in range(4)},
            }
            for n in range(1, 17)
        },
    } | changes
    path = tmp_path / "qids_es.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_licensed_translation_is_loaded_like_english_text_and_shown(
    tmp_path, nurse, spanish_patient, patient
):
    call_command("load_instrument_text", str(qids_translation(tmp_path)))
    url = link_for(nurse, spanish_patient, ["qids_sr16"])
    html = Client().get(url).content.decode()
    assert "Instrucciones de la traducción autorizada" in html
    assert "Pregunta autorizada 12" in html and "Respuesta 12.3" in html
    assert "traducción autorizada en su idioma" not in html
    # English readers still get the published English text
    assert "I never take longer than 30 minutes" in Client().get(url + "?lang=en").content.decode()


def test_a_translation_that_leaves_items_in_english_is_refused(tmp_path):
    path = qids_translation(tmp_path, items={"1": {"text": "Solo una", "options": {"0": "No"}}})
    with pytest.raises(CommandError) as refused:
        call_command("load_instrument_text", str(path))
    message = str(refused.value)
    assert "items.1.options" in message and "items.2" in message


def test_an_unknown_language_is_refused(tmp_path):
    with pytest.raises(CommandError, match="language"):
        call_command("load_instrument_text", str(qids_translation(tmp_path, language="fr")))


def test_staff_pages_stay_in_english_whatever_the_browser_asks(web, nurse, patient):
    client = web(nurse)
    html = client.get(
        f"/patients/{patient.id}/measures/record/phq9/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Optional" in html and "Opcional" not in html
    assert "Little interest or pleasure in doing things" in html


def test_the_instrument_api_names_the_source_of_each_shipped_translation(api, nurse):
    phq9_body = api(nurse).get("/instruments/phq9").json()
    madrs_body = api(nurse).get("/instruments/madrs").json()
    [spanish] = phq9_body["translations"]
    assert spanish["language"] == "es"
    assert "official Spanish version for the USA" in spanish["source"]
    assert "Pfizer Inc." in spanish["source"]
    assert madrs_body["translations"] == []
