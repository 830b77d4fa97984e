"""Sync engine between Carnet and the hub: transport, wire schema, no Qt."""
