"""Storage layer: ORM models, national lists, engine and migrations. No Qt here.

Deliberately empty: ``app.models.schema`` gathers the table modules (Alembic, the notebook), so
that importing a light module of this package stays cheap at start-up.
"""
