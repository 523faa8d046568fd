"""The JSON API under /api/v1 for integrations, and the per-user API tokens it reads."""
