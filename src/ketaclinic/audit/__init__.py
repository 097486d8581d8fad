"""ketaclinic audit."""
