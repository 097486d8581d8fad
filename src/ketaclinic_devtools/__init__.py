"""Development tools for ketaclinic (the synthetic registry); never installed in production."""
