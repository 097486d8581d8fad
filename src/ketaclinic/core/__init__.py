"""ketaclinic core."""
