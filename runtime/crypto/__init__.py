"""Encryption at rest of the fields marked `encrypted`: the keyring (keyring.py), sealing record data
at the storage boundary (fields.py) and re-sealing stored records for a rotation or a publish (reseal.py)."""
