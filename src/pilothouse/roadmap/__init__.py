"""Features and releases: what is built, for which product, by when."""
