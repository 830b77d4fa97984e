"""The hub's web pages (French, server-rendered), exports and the partners' read-only API."""
