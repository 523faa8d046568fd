"""iil-lms: learning management system for the Integrity Innovation Lab."""

__version__ = "0.1.0"
