"""Template filters of the outcomes app."""
