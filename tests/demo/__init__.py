"""Tests that read the demo clinic, seeded once for the package (see conftest.py)."""

# The demo password the package seeds with (KETACLINIC_DEMO_PASSWORD), to check it is used.
DEMO_PASSWORD = "a-demo-password"
