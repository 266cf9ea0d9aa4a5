"""Template lifecycle: the three-way merge of an upgrade (merge.py, plan.py) and an app's key rewritten for a copy (rekey.py)."""
