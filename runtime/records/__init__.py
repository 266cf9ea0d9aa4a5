"""The record service: create, read, update, list, bulk writes, derived values, search and history."""
