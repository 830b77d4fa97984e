"""The only layer that imports PySide6: windows, views, Qt item models, workers.

Importing this package loads QtCore and turns off a cost PySide6 adds to every later import:
its ``__feature__`` hook reads the whole source file of each newly imported module
(``inspect.getsource``) to learn whether the module mentions PySide6, and so may select
PySide's optional features (``snake_case``, ``true_property``). Carnet selects none, so every
module gets the default selection without its file being read: about a fifth of the time the
interface's modules take to import at start-up."""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (installs PySide's import hook)


def _default_features(module: ModuleType) -> bool:
    """For PySide's hook: True means "the default features" (select id 0), as for any module
    that uses PySide without ``from __feature__ import …``."""
    return True


def skip_feature_scan() -> bool:
    """Replace the hook's source scan; False when this PySide has no such scan."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = _default_features  # type: ignore[attr-defined]
    return True


skip_feature_scan()
