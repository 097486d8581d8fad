"""ketaclinic intake."""
