"""Open Cities Toolkit: make better, fairer use of a city's data."""

__version__ = "0.1.0"
