"""Duplicate detection: normalised company names and people, rules per form, the matcher."""
