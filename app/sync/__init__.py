"""Sync engine between Carnet and the hub: no Qt (docs/protocole-sync.md, "The client side").

- ``wire``: the protocol's messages as dataclasses, gzip helpers, constants (the hub imports it);
- ``transport``: ``HttpTransport`` over requests, ``Backoff``, ``normalize_hub_url``;
- ``errors``: ``SyncError`` and its typed subclasses, each with a French ``message``;
- ``credentials``: the device token in the OS keyring (or in memory, said so, without one);
- ``engine``: ``SyncEngine`` (enrol, sync_once, cancel, status, issues, resolve_issue).
"""
