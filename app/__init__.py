"""Carnet: the field notebook of digital-inclusion mediators."""

__version__ = "0.1.0"
APP_NAME = "Carnet"
