"""Management commands of the outcomes app (seed_registry, export_research)."""
