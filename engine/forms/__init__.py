"""Forms: field types, form definitions, record value validation."""
