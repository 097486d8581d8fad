"""ketaclinic access."""
