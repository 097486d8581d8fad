"""About 25 synthetic demo patients (Faker), deterministic for the seed."""

from datetime import date
from decimal import Decimal

from .models import Ethnicity, IncomeBand, PayerType, Race
from .services import register_patient

ORDER = 20
DEMO_PATIENT_COUNT = 25
# Synthetic mixes loosely shaped like a US outpatient clinic; demo data, not statistics.
RACES = list(Race.values)
ETHNICITIES = list(Ethnicity.values)
PAYERS = list(PayerType.values)
INCOMES = list(IncomeBand.values)


def seed(ctx) -> None:
    fake, rng = ctx.fake, ctx.rng
    registrar = ctx.user("frontdesk")
    today = ctx.now.date()
    for _ in range(DEMO_PATIENT_COUNT):
        sex = rng.choice(["female", "female", "male", "male", "other"])
        given = fake.first_name_female() if sex == "female" else fake.first_name_male()
        age = rng.randint(19, 78)
        dob = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        patient = register_patient(
            actor=registrar,
            given_name=given,
            family_name=fake.last_name(),
            date_of_birth=dob,
            sex=sex,
            phone=f"(555) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
            email=f"{given.lower()}.{rng.randint(10, 99)}@example.com",
            address_line=fake.street_address(),
            city=fake.city(),
            region=fake.state_abbr(),
            postal_code=fake.zipcode(),
            emergency_contact_name=fake.name(),
            emergency_contact_phone=f"(555) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
            emergency_contact_relationship=rng.choice(["spouse", "parent", "sibling", "friend"]),
            weight_kg=Decimal(rng.randint(480, 1150)) / 10,
            race=rng.choices(RACES, weights=[1, 6, 13, 1, 60, 4, 5, 3, 7])[0],
            ethnicity=rng.choices(ETHNICITIES, weights=[18, 75, 3, 4])[0],
            payer_type=rng.choices(PAYERS, weights=[45, 35, 8, 6, 3, 2, 1])[0],
            income_band=rng.choices(INCOMES, weights=[15, 25, 30, 20, 6, 4])[0],
        )
        ctx.patients.append(patient)
