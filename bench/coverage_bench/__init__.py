"""Benchmark-only Django modules for bench/coverage_http.py; never part of the product."""
