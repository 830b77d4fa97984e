"""Pseudonymous follow-up codes: short, easy to read aloud and to write on a card.

Format ``ABC-DEF``: five random characters and a check character, drawn from an alphabet of 23
(a prime) without look-alikes (no 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B, U/V pairs reduced to U). The check is
a position-weighted sum modulo 23: since 23 is prime it catches every single-character typo and
every swap of two adjacent characters (Luhn mod N misses some of those with this alphabet).
"""

from __future__ import annotations

import secrets

ALPHABET = "ACDEFGHJKMNPRTUWXY34679"
_N = len(ALPHABET)
BODY_LENGTH = 5
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}


_INV6 = pow(BODY_LENGTH + 1, -1, _N)


def _check_char(body: str) -> str:
    # sum(i * v_i for i = 1..6) == 0 (mod 23), solved for the 6th character.
    total = sum((i + 1) * _INDEX[ch] for i, ch in enumerate(body))
    return ALPHABET[(-total * _INV6) % _N]


def _format(raw: str) -> str:
    return f"{raw[:3]}-{raw[3:]}"


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return _format(body + _check_char(body))


def normalize(text: str) -> str:
    """Upper-case, drop separators and spaces."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def is_valid(text: str) -> bool:
    raw = normalize(text)
    if len(raw) != BODY_LENGTH + 1 or any(ch not in _INDEX for ch in raw):
        return False
    return _check_char(raw[:-1]) == raw[-1]


def canonical(text: str) -> str | None:
    """The ``ABC-DEF`` form of a valid code, else None."""
    raw = normalize(text)
    return _format(raw) if is_valid(raw) else None


def problem(text: str) -> str | None:
    """A French explanation of why ``text`` is not a valid code, or None when it is."""
    raw = normalize(text)
    if not raw:
        return "Saisissez un code de suivi (6 caractères, par ex. « KRT-4MX »)."
    bad = sorted({ch for ch in raw if ch not in _INDEX})
    if bad:
        return f"Caractère(s) impossible(s) dans un code : {', '.join(bad)}."
    if len(raw) != BODY_LENGTH + 1:
        return f"Un code compte 6 caractères ({len(raw)} saisis)."
    if not is_valid(raw):
        return "Ce code contient une faute de frappe (le caractère de contrôle ne correspond pas)."
    return None
