"""Thin views over selectors and services."""
