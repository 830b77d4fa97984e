"""Storage layer: ORM models, national lists, engine and migrations. No Qt here."""

# The sync engine's tables live in their own module; importing it here registers them with the
# metadata whenever the models are loaded (Alembic's env, the migration tests, the app).
from app.models import sync_tables as _sync_tables  # noqa: F401
from app.models import training as _training  # noqa: F401  (training paths and progress)
