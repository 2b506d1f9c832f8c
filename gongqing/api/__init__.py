"""The REST API under /api/v1/: token authentication, permissions, errors, exact decimals, idempotent writes."""
