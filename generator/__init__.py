"""Heliograph: a static site generator for status pages."""

__version__ = "0.1.0"
