"""Carnet Hub: the regional server devices sync with."""

__version__ = "0.1.0"
