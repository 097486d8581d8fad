"""ketaclinic billing."""
