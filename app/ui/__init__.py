"""The only layer that imports PySide6: windows, views, Qt item models, workers."""
