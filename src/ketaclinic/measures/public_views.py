"""The patient's self-report pages: no login, phone-sized, single-use link, rate-limited, in the
patient's language."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.middleware import client_ip
from ketaclinic.core.models import Clinic

from . import queries, ratelimit, rules, services
from .forms import InstrumentForm
from .instruments import INSTRUMENTS

# Shown after every submission instead of the score, in the page's language. A deployment
# outside the US sets MEASURE_CRISIS_RESOURCES in its settings: a list of lines, or a dict of
# such lists by language code ("en", "es").
DEFAULT_CRISIS_RESOURCES = (
    _("Call or text 988 (Suicide & Crisis Lifeline, US), any time."),
    _("In an emergency call 911 or go to the nearest emergency department."),
)
# The 988 Lifeline answers in Spanish: "Spanish-language (Press 2)" when calling, "text AYUDA"
# when texting (988lifeline.org, "What to expect").
SPANISH_988 = "Para hablar en español: llame al 988 y oprima 2, o envíe AYUDA por texto al 988."

# The ?lang= switch on a link's pages; otherwise the patient's preferred language.
LANGUAGE_PARAM = "lang"


def crisis_resources(language: str = "en") -> tuple[str, ...]:
    configured = getattr(settings, "MEASURE_CRISIS_RESOURCES", None)
    if isinstance(configured, dict):
        return tuple(configured.get(language) or configured.get("en") or ())
    if configured is not None:
        return tuple(configured)
    with translation.override(language):
        lines = tuple(str(line) for line in DEFAULT_CRISIS_RESOURCES)
    return lines + ((SPANISH_988,) if language == "es" else ())


def _languages() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


def _language(request, link=None) -> str:
    """The switch's choice for this page, else the patient's preferred language, else English."""
    asked = request.GET.get(LANGUAGE_PARAM, "")
    if asked in _languages():
        return asked
    preferred = getattr(link.patient, "preferred_language", "") if link is not None else ""
    return preferred if preferred in _languages() else "en"


def _page(request, language: str, template: str, context: dict, status: int = 200):
    """Render in `language`, uncached and private (the URL carries the token)."""
    with translation.override(language):
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    # Never cache the page, never send it to another site as a referrer ("no-referrer" would
    # also make browsers post Origin: null and fail CSRF).
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unavailable(request, reason: str, clinic=None, status: int = 410, language: str = "en"):
    return _page(
        request,
        language,
        "measures/public_unavailable.html",
        {"reason": reason, "clinic": clinic, "crisis": crisis_resources(language)},
        status=status,
    )


def _too_many(request, language: str = "en"):
    return _page(
        request,
        language,
        "measures/public_unavailable.html",
        {"reason": "rate_limited", "crisis": crisis_resources(language)},
        status=429,
    )


def _patient_message(message: str) -> str:
    """A rule's message about one answer, for the patient: as worded in English, translated
    otherwise."""
    if translation.get_language() == "en":
        return message
    if message.startswith("missing"):
        return gettext("Please answer this question.")
    return gettext("Please choose one of the answers.")


def _switch(language: str) -> list[dict]:
    """Links to this same page in each other language (for this link only)."""
    return [
        {"code": code, "name": name, "url": "?" + urlencode({LANGUAGE_PARAM: code})}
        for code, name in settings.LANGUAGES
        if code != language
    ]


@require_http_methods(["GET", "POST"])
def self_report(request, token):
    if not ratelimit.allow_ip(client_ip(request)):
        return _too_many(request, _language(request))
    link = queries.request_for_token(token)
    if link is None:
        return _unavailable(request, "unknown", status=404, language=_language(request))
    language = _language(request, link)
    status = link.status
    if status != "open":
        return _unavailable(request, status, clinic=link.clinic, language=language)
    displays = queries.display_instruments(link.clinic_id, link.instruments, language)
    data = request.POST if request.method == "POST" else None
    with translation.override(language):
        forms = [InstrumentForm(d, data) for d in displays]
    missing = 0
    if request.method == "POST":
        if not ratelimit.allow_submit(link.token_hash):
            return _too_many(request, language)
        answers = {
            f.display.code: rules.parse_form_answers(INSTRUMENTS[f.display.code], f.raw_answers())
            for f in forms
        }
        try:
            services.submit_self_report(token=token, answers_by_instrument=answers)
        except InvalidInput as exc:
            with translation.override(language):
                errors = {k: _patient_message(v) for k, v in exc.fields.items()}
                for f in forms:
                    f.is_valid()
                    f.add_item_errors(errors, f"{f.display.code}.")
            missing = sum(
                rules.questions_to_answer(
                    INSTRUMENTS[f.display.code],
                    [k.split(".", 1)[1] for k in exc.fields if k.startswith(f"{f.display.code}.")],
                )
                for f in forms
            )
        except services.LinkUnavailable as exc:
            return _unavailable(request, exc.code, clinic=link.clinic, language=language)
        else:
            query = urlencode({"clinic": link.clinic.slug, LANGUAGE_PARAM: language})
            return redirect(reverse("measures:thanks") + "?" + query)
    return _page(
        request,
        language,
        "measures/self_report.html",
        {
            "forms": forms,
            "clinic": link.clinic,
            "missing": missing,
            "link": link,
            "has_pairs": any(i.either_or for d in displays for i in d.items),
            "switch": _switch(language),
        },
    )


def thanks(request):
    clinic = Clinic.objects.filter(slug=request.GET.get("clinic", "")[:60]).first()
    language = _language(request)
    return _page(
        request,
        language,
        "measures/public_thanks.html",
        {"clinic": clinic, "crisis": crisis_resources(language)},
    )
