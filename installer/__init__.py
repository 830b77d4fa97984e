"""Build tooling of the installable Carnet: PyInstaller rules, ICU trimming, Debian packaging.
Not part of the app (nothing here is frozen into it)."""
