"""The typed API of one app (OpenAPI 3.1), as one caller sees it: built from the field types, no I/O."""
