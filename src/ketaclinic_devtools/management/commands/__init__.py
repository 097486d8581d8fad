"""Management commands of the development tools (seed_registry)."""
