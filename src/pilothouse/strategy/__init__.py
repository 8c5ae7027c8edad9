"""Objectives that cascade from company to product, key results, initiatives."""
