"""Inbound hooks at run time: their write-only secrets, receiving a delivery, and the deliveries log."""
