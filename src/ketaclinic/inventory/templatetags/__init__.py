"""Template tags of the ledger pages."""
