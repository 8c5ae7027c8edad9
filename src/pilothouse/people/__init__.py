"""The product team: people, reporting lines, levels (the career ladder comes later)."""
