"""ketaclinic web."""
