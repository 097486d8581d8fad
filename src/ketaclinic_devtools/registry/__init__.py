"""The synthetic registry behind `ketaclinic seed_registry` (bulk, deterministic for a seed)."""
