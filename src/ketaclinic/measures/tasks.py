"""Background tasks (django-tasks): send self-report links for due measurement schedules."""

from django_tasks import task

from ketaclinic.core.context import acting
from ketaclinic.core.models import Clinic

from .services import send_due_requests


@task()
def send_due_measure_requests() -> int:
    """Email a link for every due self-report schedule in every clinic; returns links sent.

    Run it periodically, e.g. `ketaclinic send_due_measure_requests` from cron, which enqueues
    this task for the django-tasks worker."""
    sent = 0
    with acting("task"):
        for clinic in Clinic.objects.all():
            sent += len(send_due_requests(clinic=clinic))
    return sent
