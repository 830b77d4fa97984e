"""Anonymous by design: spot free text that looks like a person's identity before it is saved."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The lookbehind anchors a match at the start of a run of address characters, so a long note
# without spaces is scanned once rather than from every position (quadratic otherwise).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# French phone numbers: 0X XX XX XX XX or +33 X XX XX XX XX, with spaces, dots or dashes.
_PHONE = re.compile(r"(?<!\d)(?:\+33\s?|0033\s?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")
# NIR (numéro de sécurité sociale): sex digit, year, month, département (2A/2B too), commune,
# order, optional 2-digit key; separators allowed.
_NIR = re.compile(
    r"(?<!\d)[12][\s.]?\d{2}[\s.]?(?:0[1-9]|1[0-2]|[2-9]\d)[\s.]?(?:\d{2}|2[AaBb])[\s.]?\d{3}"
    r"[\s.]?\d{3}(?:[\s.]?\d{2})?(?!\d)"
)


@dataclass(frozen=True)
class IdentityWarning:
    kind: str  # email | telephone | nir
    excerpt: str

    @property
    def message(self) -> str:
        what = {
            "email": "une adresse e-mail",
            "telephone": "un numéro de téléphone",
            "nir": "un numéro de sécurité sociale",
        }[self.kind]
        return f"La note semble contenir {what} (« {self.excerpt} »)."


def find_identity_data(text: str) -> list[IdentityWarning]:
    found: list[IdentityWarning] = []
    for kind, pattern in (("email", _EMAIL), ("nir", _NIR), ("telephone", _PHONE)):
        for match in pattern.finditer(text or ""):
            excerpt = match.group(0)
            if any(excerpt in w.excerpt or w.excerpt in excerpt for w in found):
                continue
            found.append(IdentityWarning(kind, excerpt))
    return found
