"""Inbound hooks: other systems push JSON into an app (model, checks, mapping of a payload to field values)."""
