"""ketaclinic measures."""
