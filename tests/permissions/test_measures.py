"""Permission matrix: every measures endpoint and page x every role (front desk sees no score)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from ketaclinic.core.permissions import Role
from ketaclinic.measures.services import record_measure, record_referral_score
from tests.measures.conftest import phq9

pytestmark = pytest.mark.django_db

P, N, F, A, ADM, OUT = (
    Role.PRESCRIBER,
    Role.NURSE,
    Role.FRONT_DESK,
    Role.AUDITOR,
    Role.CLINIC_ADMIN,
    "outsider",
)
ROLES = [P, N, F, A, ADM, OUT]


@pytest.fixture(scope="module")
def alert(patient, nurse):
    _, alerts = record_measure(
        actor=nurse, patient=patient, instrument="phq9", answers=phq9(item9=1)
    )
    return alerts[0]


@pytest.fixture(scope="module")
def referral(patient, nurse):
    return record_referral_score(
        actor=nurse,
        patient=patient,
        total=20,
        observed_on=timezone.localdate(timezone.now(), patient.clinic.tz),
        organisation="Riverside Family Practice",
        referral_ref="R-1",
    )


# (name, method, path template, body, expected status by role: P, N, F, A, ADM, outsider)
API = [
    ("record", "post", "/patients/{p}/measures", {"instrument": "phq9", "answers": phq9()},
     [201, 201, 403, 403, 403, 403]),
    ("list", "get", "/patients/{p}/measures", None, [200, 200, 403, 200, 200, 404]),
    ("send link", "post", "/patients/{p}/measure-requests", {"instruments": ["phq9"]},
     [201, 201, 403, 403, 403, 403]),
    ("clinic alerts", "get", "/measure-alerts", None, [200, 200, 403, 403, 403, 403]),
    ("patient alerts", "get", "/patients/{p}/measure-alerts", None,
     [200, 200, 403, 200, 200, 404]),
    ("acknowledge", "post", "/measure-alerts/{a}/acknowledge", {"note": "C-SSRS done: low"},
     [200, 403, 403, 403, 403, 403]),
    ("fhir", "get", "/patients/{p}/fhir/measures", None, [200, 200, 403, 200, 200, 404]),
    # instrument definitions are no patient's data: every staff role of every clinic reads them
    ("confirm referral", "post", "/patients/{p}/measures/{r}/confirm-referral", {},
     [200, 200, 403, 403, 403, 403]),
    ("instruments", "get", "/instruments", None, [200, 200, 200, 200, 200, 200]),
    ("instrument", "get", "/instruments/phq9", None, [200, 200, 200, 200, 200, 200]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "body", "role", "expected"),
    [
        pytest.param(m, path, body, role, status, id=f"{name}-{role}")
        for name, m, path, body, statuses in API
        for role, status in zip(ROLES, statuses, strict=True)
    ],
)
def test_api_permission_matrix(
    api, personas, patient, alert, referral, method, path, body, role, expected
):
    client = api(personas[role])
    target = path.format(p=patient.id, a=alert.id, r=referral.id)
    response = client.get(target) if method == "get" else client.post(target, body)
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(("method", "path", "body"), [(m, p, b) for _, m, p, b, _ in API])
def test_anonymous_api_calls_are_401(api, patient, alert, referral, method, path, body):
    client = api()
    target = path.format(p=patient.id, a=alert.id, r=referral.id)
    response = client.get(target) if method == "get" else client.post(target, body)
    assert response.status_code == 401


def test_a_prescriber_of_another_clinic_gets_404_for_an_alert(api, other_clinic, alert):
    from tests.factories import make_user

    stranger = make_user(other_clinic, "dr_else", Role.PRESCRIBER)
    response = api(stranger).post(f"/measure-alerts/{alert.id}/acknowledge", {"note": "x"})
    assert response.status_code == 404


PAGES = [
    ("chart", "get", "measures:chart", "p", [200, 200, 403, 200, 200, 404]),
    ("record form", "get", "measures:record", "pi", [200, 200, 403, 403, 403, 403]),
    ("response", "get", "measures:response", "pr", [200, 200, 403, 200, 200, 404]),
    ("send link", "post", "measures:send", "p", [200, 200, 403, 403, 403, 403]),
    ("alert list", "get", "measures:alerts", "", [200, 200, 403, 403, 403, 403]),
    ("acknowledge", "post", "measures:acknowledge", "a", [302, 403, 403, 403, 403, 403]),
    ("due list", "get", "measures:due", "", [200, 200, 403, 403, 403, 403]),
    ("settings", "get", "measures:settings", "", [200, 403, 403, 403, 200, 200]),
    ("confirm referral", "post", "measures:confirm_referral", "pf",
     [302, 302, 403, 403, 403, 403]),
]  # fmt: skip


def _page_url(name, args, patient, alert, referral=None):
    kwargs = {}
    if "f" in args:
        kwargs["response_id"] = referral.id
    if "p" in args:
        kwargs["patient_id"] = patient.id
    if "i" in args:
        kwargs["instrument"] = "phq9"
    if "r" in args:
        kwargs["response_id"] = alert.response_id
    if "a" in args:
        kwargs["alert_id"] = alert.id
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize(
    ("method", "name", "args", "role", "expected"),
    [
        pytest.param(m, name, args, role, status, id=f"{label}-{role}")
        for label, m, name, args, statuses in PAGES
        for role, status in zip(ROLES, statuses, strict=True)
    ],
)
def test_page_permission_matrix(
    web, personas, patient, alert, referral, method, name, args, role, expected
):
    client = web(personas[role])
    target = _page_url(name, args, patient, alert, referral)
    data = {"instruments": ["phq9"], "delivery": "link", "note": "Safety plan made"}
    response = client.get(target) if method == "get" else client.post(target, data)
    assert response.status_code == expected


def test_front_desk_sees_no_measures_tab_and_no_score(web, front_desk, patient, alert):
    # given a patient with a PHQ-9 on file
    page = web(front_desk).get(reverse("patients:chart", kwargs={"patient_id": patient.id}))
    # then the chart has no Measures tab and shows no score
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("measures:chart", kwargs={"patient_id": patient.id}) not in html
    assert "phq9_item9" not in html


def test_anonymous_pages_redirect_to_login(web, patient):
    response = web().get(reverse("measures:chart", kwargs={"patient_id": patient.id}))
    assert response.status_code == 302 and "/login/" in response["Location"]
