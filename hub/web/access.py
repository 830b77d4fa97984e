"""Who may see which scope: hub staff everything, a coordinator their structures, a local
authority its territory and the territories inside it (aggregates only, never a session)."""

from __future__ import annotations

from hub.errors import HubError
from hub.stats.dashboard import Scope
from hub.stats.territory import Territories
from hub.web.auth import WebUser


class PageError(HubError):
    """An error of a web page: answered as an HTML page (hub/web/setup.py), not JSON."""


def forbidden() -> PageError:
    return PageError(403, "forbidden", "Cette page ne fait pas partie de votre périmètre.")


def default_scope(user: WebUser) -> Scope:
    if user.role == "coordinateur":
        return Scope("structures", structures=user.structures)
    if user.role == "collectivite" and user.territory:
        return Scope(*user.territory)
    return Scope("hub")


def inside(territories: Territories, outer: tuple[str, str], level: str, code: str) -> bool:
    """Is the node (level, code) inside the territory ``outer``?"""
    o_level, o_code = outer
    if (level, code) == outer:
        return True
    if level == "commune":
        place = territories.place(code)
        if place is None:
            return False
        siren = place.piece.partition(":")[0]
        return (o_level, o_code) in (("departement", place.departement), ("epci", siren))
    if level == "epci" and ":" not in code:
        parts = territories.epci_parts(code)
        return bool(parts) and all(inside(territories, outer, "epci", p) for p in parts)
    if level == "epci" and ":" in code:
        siren, _, dep = code.partition(":")
        return (o_level == "departement" and o_code == dep) or (
            o_level == "epci" and o_code == siren
        )
    return False


def resolve_scope(
    user: WebUser, territories: Territories, level: str | None, code: str | None
) -> Scope:
    """The scope asked for in a page's query, or 403 when it is outside the user's."""
    if not level:
        return default_scope(user)
    code = (code or "").strip()
    if level == "structure":
        if user.role == "admin" or (user.role == "coordinateur" and code in user.structures):
            return Scope("structures", structures=(code,))
        raise forbidden()
    if level == "structures":
        if user.role == "coordinateur":
            return Scope("structures", structures=user.structures)
        raise forbidden()
    if level not in ("hub", "departement", "epci", "commune"):
        raise PageError(400, "bad_scope", "Niveau de territoire inconnu.")
    if user.role == "admin":
        return Scope(level, "" if level == "hub" else code)
    allowed = user.role == "collectivite" and user.territory is not None and level != "hub"
    if allowed and user.territory and inside(territories, user.territory, level, code):
        return Scope(level, code)
    raise forbidden()
