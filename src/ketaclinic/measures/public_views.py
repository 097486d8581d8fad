"""The patient's self-report pages: no login, phone-sized, single-use link, rate-limited."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.middleware import client_ip
from ketaclinic.core.models import Clinic

from . import queries, ratelimit, rules, services
from .forms import InstrumentForm
from .instruments import INSTRUMENTS

# Shown after every submission instead of the score. A deployment outside the US sets
# MEASURE_CRISIS_RESOURCES in its settings.
DEFAULT_CRISIS_RESOURCES = (
    "Call or text 988 (Suicide & Crisis Lifeline, US), any time.",
    "In an emergency call 911 or go to the nearest emergency department.",
)


def crisis_resources() -> tuple[str, ...]:
    return tuple(getattr(settings, "MEASURE_CRISIS_RESOURCES", DEFAULT_CRISIS_RESOURCES))


def _private(response):
    # The URL carries the token: never cache the page, never send it to another site as a
    # referrer ("no-referrer" would also make browsers post Origin: null and fail CSRF).
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unavailable(request, reason: str, clinic=None, status: int = 410):
    return _private(
        render(
            request,
            "measures/public_unavailable.html",
            {"reason": reason, "clinic": clinic, "crisis": crisis_resources()},
            status=status,
        )
    )


def _too_many(request):
    return _private(
        render(
            request,
            "measures/public_unavailable.html",
            {"reason": "rate_limited", "crisis": crisis_resources()},
            status=429,
        )
    )


@require_http_methods(["GET", "POST"])
def self_report(request, token):
    if not ratelimit.allow_ip(client_ip(request)):
        return _too_many(request)
    link = queries.request_for_token(token)
    if link is None:
        return _unavailable(request, "unknown", status=404)
    status = link.status
    if status != "open":
        return _unavailable(request, status, clinic=link.clinic)
    displays = queries.display_instruments(link.clinic_id, link.instruments)
    data = request.POST if request.method == "POST" else None
    forms = [InstrumentForm(d, data) for d in displays]
    missing = 0
    if request.method == "POST":
        if not ratelimit.allow_submit(link.token_hash):
            return _too_many(request)
        answers = {
            f.display.code: rules.parse_form_answers(INSTRUMENTS[f.display.code], f.raw_answers())
            for f in forms
        }
        try:
            services.submit_self_report(token=token, answers_by_instrument=answers)
        except InvalidInput as exc:
            for f in forms:
                f.is_valid()
                f.add_item_errors(exc.fields, f"{f.display.code}.")
            missing = sum(
                rules.questions_to_answer(
                    INSTRUMENTS[f.display.code],
                    [k.split(".", 1)[1] for k in exc.fields if k.startswith(f"{f.display.code}.")],
                )
                for f in forms
            )
        except services.LinkUnavailable as exc:
            return _unavailable(request, exc.code, clinic=link.clinic)
        else:
            return redirect(reverse("measures:thanks") + f"?clinic={link.clinic.slug}")
    return _private(
        render(
            request,
            "measures/self_report.html",
            {
                "forms": forms,
                "clinic": link.clinic,
                "missing": missing,
                "link": link,
                "has_pairs": any(i.either_or for d in displays for i in d.items),
            },
        )
    )


def thanks(request):
    clinic = Clinic.objects.filter(slug=request.GET.get("clinic", "")[:60]).first()
    return _private(
        render(
            request, "measures/public_thanks.html", {"clinic": clinic, "crisis": crisis_resources()}
        )
    )
