"""Scenarios: what-if copies of the plan, compared with the live plan and applied on demand."""
