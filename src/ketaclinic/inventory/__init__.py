"""ketaclinic inventory."""
