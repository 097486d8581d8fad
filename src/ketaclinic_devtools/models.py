"""Marks the clinics the synthetic registry generator created (and only those)."""

from django.db import models


class GeneratedClinic(models.Model):
    """A clinic written by `seed_registry`.

    Only the generator writes rows here, and the product never imports this app, so a clinic
    without a row is a clinic someone created through the product: the generator refuses to
    share a database with one unless told to (`--force`).
    """

    clinic = models.OneToOneField(
        "core.Clinic", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    seed = models.BigIntegerField()
    as_of = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clinic__slug"]

    def __str__(self) -> str:
        return f"generated clinic {self.clinic_id} (seed {self.seed})"
