"""Use cases the UI calls. Each owns short DB sessions and returns plain objects. No Qt here."""
