"""Cross-cutting foundation: users and roles, permissions, the change log, API tokens,
the versioned base model and the one write path every domain service uses."""
