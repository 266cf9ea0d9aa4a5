"""Tangram's runtime: the FastAPI service, storage, auth, jobs and CLI around the pure engines."""
