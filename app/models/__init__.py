"""Storage layer: ORM models, national lists, engine and migrations. No Qt here."""
