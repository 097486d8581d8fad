"""Management commands of the intake app."""
