"""Reusable input widgets of the session form (chips, pickers, code field, tags, counters)."""
