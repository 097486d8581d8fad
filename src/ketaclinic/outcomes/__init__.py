"""ketaclinic outcomes."""
