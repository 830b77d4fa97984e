"""Errors the hub answers with: a stable code, a French message, the right HTTP status.

Every error body is ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

from typing import Any

# Default French message per HTTP status, for errors raised by the framework itself.
STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Requête incorrecte."),
    401: ("unauthorized", "Authentification requise : cet appareil doit être inscrit sur le hub."),
    403: ("forbidden", "Accès refusé."),
    404: ("not_found", "Adresse inconnue sur ce hub."),
    405: ("method_not_allowed", "Méthode HTTP non autorisée pour cette adresse."),
    406: ("not_acceptable", "Format de réponse non disponible."),
    409: ("conflict", "Conflit avec l'état du hub."),
    410: ("gone", "Cette ressource n'existe plus."),
    413: ("body_too_large", "Requête trop volumineuse."),
    415: ("unsupported_media_type", "Format de contenu non pris en charge : envoyez du JSON."),
    422: ("invalid_request", "Requête mal formée : certains champs sont absents ou invalides."),
    426: ("protocol_unsupported", "Version du protocole non prise en charge."),
    429: ("rate_limited", "Trop de tentatives : réessayez dans un moment."),
    500: (
        "internal_error",
        "Erreur interne du hub. Rien n'a été enregistré ; réessayez plus tard.",
    ),
    503: ("unavailable", "Le hub est momentanément indisponible ; réessayez plus tard."),
}


class HubError(Exception):
    """An error answered as JSON with ``status``, a stable ``code`` and a French ``message``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def protocol_unsupported(sent: str | None, supported: list[int]) -> HubError:
    return HubError(
        426,
        "protocol_unsupported",
        "Mettez Carnet à jour : cette version ne sait plus dialoguer avec le hub "
        f"(protocole {sent or 'absent'} ; le hub accepte {', '.join(map(str, supported))}). "
        "Vos données restent enregistrées sur l'appareil.",
        {"sent": sent, "supported": supported},
    )


def token_invalid() -> HubError:
    return HubError(
        401,
        "token_invalid",
        "Cet appareil n'est pas reconnu par le hub : inscrivez-le à nouveau avec un code "
        "d'inscription. Vos données restent enregistrées sur l'appareil.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def device_revoked() -> HubError:
    return HubError(
        401,
        "device_revoked",
        "L'accès de cet appareil au hub a été révoqué. Vos données restent sur l'appareil ; "
        "contactez votre coordinateur pour obtenir un nouveau code d'inscription.",
        headers={"WWW-Authenticate": "Bearer"},
    )
