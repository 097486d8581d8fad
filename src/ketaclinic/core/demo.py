"""The demo clinic: seed_demo runs each app's demo.py `seed(ctx)` in ORDER, once."""

import random
from dataclasses import dataclass, field
from datetime import datetime

from faker import Faker

DEMO_CLINIC_SLUG = "demo"
DEFAULT_DEMO_PASSWORD = "ketaclinic-demo"


@dataclass
class DemoContext:
    """What the demo steps share: the clinic, users by username, patients, randomness, output."""

    seed: int
    password: str
    now: datetime
    rng: random.Random
    fake: Faker
    clinic: object = None
    users: dict = field(default_factory=dict)
    patients: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    # Lines printed after the logins (e.g. a self-report link); steps append to it.
    notes: list[str] = field(default_factory=list)

    def user(self, username: str):
        return self.users[username]

    def open_weekdays(self) -> list[int]:
        """The demo clinic's open weekdays (Monday = 0): Monday to Friday, and today and
        yesterday whatever days they are, so that the treatment day (whose evening sessions,
        loaded in the small hours, began yesterday) and the week's plan have days to show."""
        today = self.clinic.today(self.now).weekday()
        return sorted({0, 1, 2, 3, 4, today, (today - 1) % 7})
