"""ketaclinic accounts."""
