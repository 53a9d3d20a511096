"""The version of powerseek, in one place for the package and its provenance records."""

__version__ = "0.1.0"
