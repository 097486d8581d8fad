"""Pages show times in the user's clinic time zone, not UTC."""

import zoneinfo

import pytest

from ketaclinic.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_the_token_page_shows_creation_time_in_clinic_time(web, nurse, clinic):
    clinic.time_zone = "Asia/Tokyo"  # UTC+9 all year: never equal to UTC
    clinic.save()
    client = web(nurse)
    client.post("/account/tokens/", {"name": "tz"})
    token = ApiToken.objects.get(user=nurse)
    local = token.created_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d %H:%M")
    utc = token.created_at.strftime("%Y-%m-%d %H:%M")
    html = client.get("/account/tokens/").content.decode()
    assert local in html
    assert utc not in html
