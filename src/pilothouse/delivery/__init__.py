"""Delivery: teams, their members and capacity, the features queued for them, their
throughput, and demand against capacity per period (see docs/delivery.md)."""
