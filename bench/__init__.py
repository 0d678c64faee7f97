"""Benchmarks of the product's pages (see bench/README.md); not part of the product."""
