"""The web process and the queue: webhook, signatures, routing, delivery log, locks, settings."""
