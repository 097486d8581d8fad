"""Management commands of the outcomes app (export_research)."""
