"""Product lines, products and product areas: the portfolio a product leader runs."""
