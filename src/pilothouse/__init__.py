"""Pilothouse: the product leader's platform."""

__version__ = "0.1.0"
