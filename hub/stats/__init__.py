"""Territorial statistics of the hub: pre-aggregated tables kept up to date by the push path,
the national counting rules, statistical secrecy (docs/confidentialite.md) and exports."""
