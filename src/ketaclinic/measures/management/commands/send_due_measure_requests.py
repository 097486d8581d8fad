"""`ketaclinic send_due_measure_requests [--now]`: enqueue (or run) the due-schedule task."""

from django.core.management.base import BaseCommand

from ketaclinic.measures.tasks import send_due_measure_requests


class Command(BaseCommand):
    help = "Send self-report links for due measurement schedules (run it from cron, e.g. hourly)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Run in this process instead of enqueueing."
        )

    def handle(self, *args, now: bool = False, **options):
        if now:
            sent = send_due_measure_requests.call()
            self.stdout.write(f"Sent {sent} self-report link(s).")
        else:
            result = send_due_measure_requests.enqueue()
            self.stdout.write(f"Enqueued task {result.id}.")
