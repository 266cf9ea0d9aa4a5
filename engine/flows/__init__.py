"""The flow engine: definitions (model), instance state, events and effects, and the pure machine."""
