"""Realistic Chinese CRM demo data: deterministic generators (generate.py) and a loader (load.py)."""
