"""ketaclinic treatments."""
