"""Pharmacokinetic simulator: published ketamine and esketamine models, decision support only."""
