"""ketaclinic protocols."""
