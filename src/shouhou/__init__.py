"""Shouhou (售后): after-sales service for hardware makers that sell through dealers."""

__version__ = "0.1.0"
