"""ketaclinic patients."""
