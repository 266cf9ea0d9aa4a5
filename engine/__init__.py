"""Tangram's pure engines: definitions and values in, values, decisions and queries out."""
