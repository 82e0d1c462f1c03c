"""The package version, kept in one place."""

__version__ = "1.0.0"
