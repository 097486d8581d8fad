"""ketaclinic config."""
