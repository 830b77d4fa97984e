"""The complete schema: importing this module registers every table with ``Base.metadata``.

Kept apart from ``app.models/__init__`` so that importing a light module of the package (the
national lists, the errors, the commune index) does not pay for SQLAlchemy at start-up.
"""

from app.models import entities, indexing, stats_cache, sync_tables, training
from app.models.base import Base

metadata = Base.metadata

__all__ = ["entities", "indexing", "metadata", "stats_cache", "sync_tables", "training"]
