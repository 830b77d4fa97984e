"""The hub's web pages (French, server-rendered with Jinja2, no external resource): login,
dashboards by territory / structure / tag / year with a comparison, map, print-ready report,
exports, venues in the national open-data schema; and the partners' read-only JSON API."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hub.api import Hub, get_hub
from hub.errors import HubError
from hub.models import RECORD_TABLES, Mediator, Structure
from hub.org import sha256_hex
from hub.ratelimit import RateLimiter
from hub.stats.dashboard import (
    INDICATOR_LABELS,
    Dashboard,
    Scope,
    build,
)
from hub.stats.maintain import catch_up
from hub.stats.query import Period
from hub.stats.territory import LEVEL_LABELS, Territories, shared_territories
from hub.web import exports
from hub.web.access import PageError, default_scope, forbidden, resolve_scope
from hub.web.auth import (
    COOKIE,
    SESSION_SECONDS,
    WebUser,
    authenticate_password,
    ensure_web_secret,
    load_user,
    read_session,
    read_web_secret,
    sign_session,
    structure_names,
)
from hub.web.mapsvg import render_map
from hub.web.schema import PartnerToken, VenueDetails

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
router = APIRouter(include_in_schema=False)
partner_router = APIRouter(prefix="/partenaires/v1", tags=["partenaires"])
LOGIN_ATTEMPTS, LOGIN_WINDOW = 5, 300  # per address and per e-mail, in each process


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "s"
    if isinstance(value, float) and digits:
        return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    if isinstance(value, float):
        value = round(value)
    return f"{value:,}".replace(",", "\u202f")


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}\u202f%"


TEMPLATES.env.filters["n"] = _fmt
TEMPLATES.env.filters["pct"] = _pct
TEMPLATES.env.globals["INDICATOR_LABELS"] = INDICATOR_LABELS
TEMPLATES.env.globals["SECRET_NOTE"] = exports.SECRET_NOTE
TEMPLATES.env.globals["LEVEL_LABELS"] = LEVEL_LABELS


@contextmanager
def _read(hub: Hub) -> Iterator[Session]:
    with hub.db.snapshot() as s:
        yield s


@contextmanager
def _read_stats(hub: Hub) -> Iterator[Session]:
    """A snapshot of the statistics, every session received so far counted first (pushes
    leave them waiting for the drain: hub/stats/maintain.py)."""
    catch_up(hub.db)
    with hub.db.snapshot() as s:
        yield s


class Login:
    """The logged-in user of a request (or a redirect to the login page)."""

    def __init__(self, user: WebUser, csrf: str) -> None:
        self.user = user
        self.csrf = csrf


def _session_user(request: Request, hub: Hub) -> Login | None:
    with hub.db.session() as s:
        secret = read_web_secret(s)
        found = read_session(secret, request.cookies.get(COOKIE)) if secret else None
        if found is None:
            return None
        user = load_user(s, found[0])
    return Login(user, found[1]) if user else None


class LoginRequired(Exception):
    pass


def current(request: Request, hub: Annotated[Hub, Depends(get_hub)]) -> Login:
    login = _session_user(request, hub)
    if login is None:
        raise LoginRequired()
    return login


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def _check_csrf(login: Login, form: dict[str, str]) -> None:
    if not hmac.compare_digest(form.get("csrf", ""), login.csrf):
        raise PageError(
            403, "csrf", "Formulaire expiré ou venu d'ailleurs : rechargez la page et recommencez."
        )


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, name, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    return response


# ---- login ------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def home(request: Request, hub: Annotated[Hub, Depends(get_hub)]) -> Response:
    target = "/tableau-de-bord" if _session_user(request, hub) else "/connexion"
    return RedirectResponse(target, status_code=303)


@router.get("/connexion", response_class=HTMLResponse)
def login_form(request: Request, hub: Annotated[Hub, Depends(get_hub)]) -> Response:
    return _page(
        request, "login.html", {"hub_name": hub.settings.hub_name, "error": None, "email": ""}
    )


@router.post("/connexion", response_class=HTMLResponse)
async def login_submit(request: Request, hub: Annotated[Hub, Depends(get_hub)]) -> Response:
    form = await _form(request)
    email = form.get("email", "").strip().lower()[:254]
    address = request.client.host if request.client else "?"
    limiter: RateLimiter = request.app.state.login_limiter
    wait = limiter.hit(f"ip:{address}") or limiter.hit(f"email:{email}")
    context: dict[str, Any] = {"hub_name": hub.settings.hub_name, "email": email}
    if wait:
        context["error"] = f"Trop de tentatives : réessayez dans {int(wait)} secondes."
        return _page(request, "login.html", context, status=429)
    with hub.db.session() as s:
        user = authenticate_password(s, email, form.get("password", ""))
    if user is None:
        context["error"] = "Adresse e-mail ou mot de passe incorrect."
        return _page(request, "login.html", context, status=401)
    value, _csrf = sign_session(ensure_web_secret(hub.db), user.id)
    response = RedirectResponse("/tableau-de-bord", status_code=303)
    response.set_cookie(
        COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/deconnexion")
async def logout(request: Request, login: Annotated[Login, Depends(current)]) -> Response:
    _check_csrf(login, await _form(request))
    response = RedirectResponse("/connexion", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# ---- dashboards -------------------------------------------------------------------------
def available_years(db: Session) -> list[int]:
    row = db.execute(
        text(
            "SELECT min(month), max(month) FROM stat_area WHERE level = 'departement' "
            "AND tag = '' AND dim = 'total' AND (activities > 0 OR accomp > 0)"
        )
    ).one()
    this_year = dt.date.today().year
    if row[0] is None:
        return [this_year]
    return list(range(int(row[1][:4]), int(row[0][:4]) - 1, -1))


def available_tags(db: Session) -> list[str]:
    return list(
        db.scalars(
            text(
                "SELECT DISTINCT tag FROM stat_area WHERE tag <> '' AND level = 'departement' AND activities > 0 ORDER BY tag"
            )
        )
    )


def _params(scope: Scope, year: int, tag: str, **extra: Any) -> str:
    query: dict[str, Any] = {"annee": year}
    if scope.level == "structures" and len(scope.structures) == 1:
        query.update(niveau="structure", code=scope.structures[0])
    elif scope.level == "structures":
        query.update(niveau="structures")
    else:
        query.update(niveau=scope.level, code=scope.code)
    if tag:
        query["etiquette"] = tag
    query.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(query)


def _scope_links(db: Session, login: Login, t: Territories) -> list[tuple[str, str]]:
    """Shortcuts shown in the side menu."""
    user = login.user
    if user.role == "coordinateur":
        names = structure_names(db, user.structures)
        links = [("Toutes mes structures", "niveau=structures")] if len(user.structures) > 1 else []
        return links + [(names.get(s, s), f"niveau=structure&code={s}") for s in user.structures]
    if user.role == "collectivite" and user.territory:
        level, code = user.territory
        return [(t.name(level, code), f"niveau={level}&code={code}")]
    deps = db.scalars(
        text(
            "SELECT DISTINCT code FROM stat_area WHERE level = 'departement' AND code <> '' ORDER BY code"
        )
    )
    links = [("Ensemble du hub", "niveau=hub")]
    links += [(t.name("departement", d), f"niveau=departement&code={d}") for d in deps]
    for s in db.scalars(select(Structure).order_by(Structure.name)):
        links.append((f"Structure : {s.name}", f"niveau=structure&code={s.id}"))
    return links


def _year(value: int | None, years: list[int]) -> int:
    if value is None:
        return years[0]
    if not 2000 <= value <= 2100:
        raise PageError(400, "bad_year", "Année invalide.")
    return value


def _dashboard(
    request: Request, hub: Hub, login: Login, niveau: str | None, code: str | None,
    annee: int | None, etiquette: str | None, comparer: int | None = None, venues: bool = True,
) -> tuple[Dashboard, Dashboard | None, dict[str, Any]]:  # fmt: skip
    t = shared_territories()
    scope = resolve_scope(login.user, t, niveau, code)
    tag = (etiquette or "").strip()[:80]
    with _read_stats(hub) as s:
        years = available_years(s)
        year = _year(annee, years)
        d = build(s, t, scope, Period(year), tag, with_venues=venues)
        other = None
        if comparer is not None and comparer != year:
            other = build(s, t, scope, Period(_year(comparer, years)), tag, with_venues=False)
        context = {
            "login": login,
            "hub_name": hub.settings.hub_name,
            "d": d,
            "other": other,
            "years": years,
            "tags": available_tags(s),
            "links": _scope_links(s, login, t),
            "query": _params(scope, year, tag),
            "scope_params": _params(scope, year, tag),
            "child_links": _child_links(d),
        }
    return d, other, context


def _child_links(d: Dashboard) -> dict[str, str]:
    if d.children_level not in ("departement", "epci", "commune"):
        return {}
    return {
        c.code: urlencode(
            {
                "niveau": c.level,
                "code": c.code,
                "annee": d.period.year,
                **({"etiquette": d.tag} if d.tag else {}),
            }
        )
        for c in d.children
        if c.code
    }


@router.get("/tableau-de-bord", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    hub: Annotated[Hub, Depends(get_hub)],
    login: Annotated[Login, Depends(current)],
    niveau: str | None = None,
    code: str | None = None,
    annee: int | None = None,
    etiquette: str | None = None,
    comparer: int | None = None,
) -> Response:
    _d, _o, context = _dashboard(request, hub, login, niveau, code, annee, etiquette, comparer)
    return _page(request, "dashboard.html", context)


@router.get("/rapport", response_class=HTMLResponse)
def report_page(
    request: Request,
    hub: Annotated[Hub, Depends(get_hub)],
    login: Annotated[Login, Depends(current)],
    niveau: str | None = None,
    code: str | None = None,
    annee: int | None = None,
    etiquette: str | None = None,
) -> Response:
    d, _o, context = _dashboard(
        request, hub, login, niveau, code, annee, etiquette, d_year_before(annee)
    )
    context["generated"] = dt.date.today().strftime("%d/%m/%Y")
    context["map_svg"] = (
        _map_svg(hub, d, "commune" if d.scope.level in ("epci", "commune") else "epci")
        if d.scope.level != "structures"
        else None
    )
    return _page(request, "report.html", context)


def d_year_before(year: int | None) -> int | None:
    return None if year is None else year - 1


def _map_svg(hub: Hub, d: Dashboard, grain: str) -> str:
    t = shared_territories()
    with _read_stats(hub) as s:
        return render_map(s, t, d.scope, d.period, d.tag, grain)


@router.get("/carte", response_class=HTMLResponse)
def map_page(
    request: Request,
    hub: Annotated[Hub, Depends(get_hub)],
    login: Annotated[Login, Depends(current)],
    niveau: str | None = None,
    code: str | None = None,
    annee: int | None = None,
    etiquette: str | None = None,
    maille: str = "commune",
) -> Response:
    d, _o, context = _dashboard(request, hub, login, niveau, code, annee, etiquette, venues=False)
    if d.scope.level == "structures":
        raise PageError(400, "no_map", "La carte est proposée pour les territoires.")
    grain = "epci" if maille == "epci" else "commune"
    context["map_svg"] = _map_svg(hub, d, grain)
    context["grain"] = grain
    return _page(request, "map.html", context)


@router.get("/export.{fmt}")
def export(
    fmt: str,
    request: Request,
    hub: Annotated[Hub, Depends(get_hub)],
    login: Annotated[Login, Depends(current)],
    niveau: str | None = None,
    code: str | None = None,
    annee: int | None = None,
    etiquette: str | None = None,
) -> Response:
    d, _o, _c = _dashboard(request, hub, login, niveau, code, annee, etiquette)
    rows = exports.dashboard_rows(d)
    name = f"carnet-hub-{d.scope.level}-{d.scope.code or 'tout'}-{d.period.year}".replace(":", "-")
    if fmt == "csv":
        return Response(
            exports.to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "xlsx":
        return Response(
            exports.to_xlsx(rows, str(d.period.year)),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    raise PageError(404, "not_found", "Format d'export inconnu (csv ou xlsx).")


# ---- venues ------------------------------------------------------------------------------
def _venue_ids_for(db: Session, user: WebUser) -> list[str] | None:
    """Venues a user may see and complete (None: all)."""
    table = RECORD_TABLES["venue"]
    if user.role == "admin":
        return None
    if user.role == "coordinateur":
        mediators = list(
            db.scalars(select(Mediator.id).where(Mediator.structure_id.in_(user.structures)))
        )
        return list(db.scalars(select(table.c.id).where(table.c.mediator_id.in_(mediators))))
    if user.territory:
        from hub.web.access import inside

        t = shared_territories()
        rows = db.execute(select(table.c.id, table.c.commune_insee)).all()
        return [r[0] for r in rows if r[1] and inside(t, user.territory, "commune", r[1])]
    return []


@router.get("/lieux", response_class=HTMLResponse)
def venues_page(
    request: Request,
    hub: Annotated[Hub, Depends(get_hub)],
    login: Annotated[Login, Depends(current)],
) -> Response:
    with _read(hub) as s:
        result = exports.venue_records(s, hub.settings.hub_name, _venue_ids_for(s, login.user))
    return _page(
        request,
        "venues.html",
        {"login": login, "hub_name": hub.settings.hub_name, "result": result, "links": []},
    )


@router.get("/lieux/{venue_id}", response_class=HTMLResponse)
def venue_form(
    venue_id: str,
    request: Request,
    hub: Annotated[Hub, Depends(get_hub)],
    login: Annotated[Login, Depends(current)],
) -> Response:
    return _venue_form(request, hub, login, venue_id, None, None)


def _venue_form(
    request: Request, hub: Hub, login: Login, venue_id: str, error: str | None, saved: str | None
) -> Response:
    if login.user.role == "collectivite":
        raise forbidden()
    table = RECORD_TABLES["venue"]
    with _read(hub) as s:
        allowed = _venue_ids_for(s, login.user)
        if allowed is not None and venue_id not in allowed:
            raise forbidden()
        venue = s.execute(select(table).where(table.c.id == venue_id)).mappings().first()
        if venue is None:
            raise PageError(404, "not_found", "Lieu inconnu.")
        details = s.get(VenueDetails, venue_id)
        problems = exports.venue_records(s, hub.settings.hub_name, [venue_id])
    context = {
        "login": login, "hub_name": hub.settings.hub_name, "venue": venue, "details": details,
        "services": exports.SERVICES, "modalites": exports.MODALITES_ACCOMPAGNEMENT,
        "frais": exports.FRAIS, "error": error, "saved": saved, "links": [],
        "problems": problems.incomplete[0][2] if problems.incomplete else [],
    }  # fmt: skip
    return _page(request, "venue_form.html", context, status=400 if error else 200)


@router.post("/lieux/{venue_id}", response_class=HTMLResponse)
async def venue_save(
    venue_id: str,
    request: Request,
    hub: Annotated[Hub, Depends(get_hub)],
    login: Annotated[Login, Depends(current)],
) -> Response:
    body = (await request.body()).decode("utf-8", "replace")
    raw = parse_qs(body, keep_blank_values=True)
    form = {k: v[0] for k, v in raw.items()}
    _check_csrf(login, form)
    if login.user.role == "collectivite":
        raise forbidden()
    pivot = form.get("pivot", "").replace(" ", "")
    if pivot and not exports.PIVOT_RE.match(pivot):
        return _venue_form(
            request,
            hub,
            login,
            venue_id,
            "Le SIRET compte 14 chiffres (ou RNA : W suivi de 9 chiffres).",
            None,
        )
    services = [s for s in raw.get("services", []) if s in exports.SERVICES]
    modalites = [m for m in raw.get("modalites", []) if m in exports.MODALITES_ACCOMPAGNEMENT]
    frais = form.get("frais", "")
    with hub.db.write() as s:
        allowed = _venue_ids_for(s, login.user)
        if allowed is not None and venue_id not in allowed:
            raise forbidden()
        row = s.get(VenueDetails, venue_id) or VenueDetails(venue_id=venue_id)
        row.adresse = form.get("adresse", "").strip()[:300]
        row.complement_adresse = form.get("complement_adresse", "").strip()[:300]
        row.pivot = pivot
        row.telephone = form.get("telephone", "").strip()[:40]
        row.courriels = form.get("courriels", "").strip()[:300]
        row.site_web = form.get("site_web", "").strip()[:300]
        row.horaires = form.get("horaires", "").strip()[:300]
        row.services = "|".join(services)
        row.modalites_accompagnement = "|".join(modalites)
        row.frais_a_charge = frais if frais in exports.FRAIS else ""
        row.updated_at = dt.datetime.now(dt.UTC)
        s.add(row)
    return _venue_form(request, hub, login, venue_id, None, "Informations enregistrées.")


def _venue_export(hub: Hub, venue_ids: list[str] | None, fmt: str) -> Response:
    with _read(hub) as s:
        result = exports.venue_records(s, hub.settings.hub_name, venue_ids)
    if fmt == "json":
        return JSONResponse(result.records)
    return Response(
        exports.venues_csv(result.records),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="lieux-mediation-numerique.csv"'},
    )


@router.get("/lieux.{fmt}")
def venues_export(
    fmt: str, hub: Annotated[Hub, Depends(get_hub)], login: Annotated[Login, Depends(current)]
) -> Response:
    if fmt not in ("csv", "json"):
        raise PageError(404, "not_found", "Format inconnu (csv ou json).")
    with _read(hub) as s:
        ids = _venue_ids_for(s, login.user)
    return _venue_export(hub, ids, fmt)


# ---- partners' read-only API --------------------------------------------------------------
def partner(request: Request, hub: Annotated[Hub, Depends(get_hub)]) -> PartnerToken:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if token:
        with hub.db.session() as s:
            row = s.scalar(select(PartnerToken).where(PartnerToken.token_hash == sha256_hex(token)))
            if row is not None and row.revoked_at is None:
                s.expunge(row)
                return row
    raise HubError(
        401,
        "token_invalid",
        "Jeton de partenaire absent, inconnu ou révoqué.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def _partner_scope(token: PartnerToken, niveau: str | None, code: str | None) -> Scope:
    from hub.web.access import inside

    if not niveau:
        return Scope(token.level, token.code)
    if niveau not in ("hub", "departement", "epci", "commune"):
        raise HubError(400, "bad_scope", "Niveau inconnu (hub, departement, epci, commune).")
    if token.level == "hub" or inside(
        shared_territories(), (token.level, token.code), niveau, code or ""
    ):
        return Scope(niveau, "" if niveau == "hub" else code or "")
    raise HubError(403, "forbidden", "Ce territoire ne fait pas partie du périmètre de ce jeton.")


@partner_router.get("/indicateurs", summary="Indicateurs agrégés d'un territoire pour une année")
def partner_indicators(
    hub: Annotated[Hub, Depends(get_hub)],
    token: Annotated[PartnerToken, Depends(partner)],
    annee: Annotated[int, Query(ge=2000, le=2100)],
    niveau: str | None = None,
    code: str | None = None,
    etiquette: str = "",
) -> JSONResponse:
    """Les mêmes chiffres que les pages, avec le même secret statistique : ``null`` = secret."""
    scope = _partner_scope(token, niveau, code)
    with _read_stats(hub) as s:
        d = build(s, shared_territories(), scope, Period(annee), etiquette[:80], with_venues=False)
    return JSONResponse(
        {
            "territoire": {"niveau": scope.level, "code": scope.code, "nom": d.title},
            "annee": annee,
            "etiquette": d.tag or None,
            "indicateurs": {**d.indicators, "heures": d.hours},
            "mois": [
                {
                    "mois": m.month,
                    "activites": m.activities,
                    "accompagnements": m.accomp,
                    "heures": m.hours,
                }
                for m in d.trend
            ],
            "repartitions": {
                b.key: {
                    "titre": b.title,
                    "unite": b.unit,
                    "total": b.total,
                    "valeurs": {r.code: r.value for r in b.rows},
                }
                for b in d.breakdowns
            },
            "territoires": [
                {
                    "niveau": c.level,
                    "code": c.code,
                    "nom": c.label,
                    "activites": c.activities,
                    "accompagnements": c.accomp,
                    "personnes": c.people,
                    "heures": c.hours,
                }
                for c in d.children
            ],
            "secret_statistique": exports.SECRET_NOTE.replace("s : ", "null : "),
        }
    )


@partner_router.get("/lieux", summary="Lieux de médiation numérique (schéma national v1.0.1)")
def partner_venues(
    hub: Annotated[Hub, Depends(get_hub)], token: Annotated[PartnerToken, Depends(partner)]
) -> Response:
    del token
    return _venue_export(hub, None, "json")


__all__ = ["router", "partner_router", "LoginRequired", "default_scope", "Scope"]
