"""Carnet Hub: the regional server devices sync with."""
