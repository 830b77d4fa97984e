"""Installs the web side on the hub's app: pages, partners' API, static files, error pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from hub.ratelimit import RateLimiter
from hub.web.access import PageError
from hub.web.pages import (
    LOGIN_ATTEMPTS,
    LOGIN_WINDOW,
    TEMPLATES,
    LoginRequired,
    partner_router,
    router,
)
from hub.web.paths import router as paths_router

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


class _Static(StaticFiles):
    """The hub's own CSS: cacheable (the middleware would otherwise say no-store)."""

    async def get_response(self, path: str, scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response


def install_web(app: FastAPI) -> None:
    app.state.login_limiter = RateLimiter(LOGIN_ATTEMPTS, LOGIN_WINDOW)
    app.include_router(router)
    app.include_router(paths_router)  # training paths (hub/web/paths.py)
    app.include_router(partner_router)
    app.mount("/static", _Static(directory=STATIC_DIR), name="static")

    @app.exception_handler(LoginRequired)
    async def _login(_: Request, __: LoginRequired) -> Response:
        return RedirectResponse("/connexion", status_code=303)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return TEMPLATES.TemplateResponse(
            request,
            "error.html",
            {"status": exc.status, "message": exc.message},
            status_code=exc.status,
        )
