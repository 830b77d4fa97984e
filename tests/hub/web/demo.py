"""A small but realistic hub for the web tests: two structures in the Nord and the Somme,
sessions over two years, accounts of each role."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from app.models.ids import new_id
from hub.db import Database
from hub.org import create_mediator, create_structure
from hub.web.auth import create_web_user
from tests.hub.helpers import enrol, op, push
from tests.hub.stats.fixtures import individual, workshop

PASSWORD = "motdepasse-solide"
LILLE, ROUBAIX, TOURCOING, AMIENS, ABBEVILLE = "59350", "59512", "59599", "80021", "80001"


@dataclass
class Demo:
    structures: dict[str, str]
    venues: dict[str, str]
    emails: dict[str, str]


def build_demo(client: Any, db: Database, seed: int = 5) -> Demo:
    rng = random.Random(seed)
    with db.write() as s:
        nord = create_structure(
            s, "Médiathèque de Lille", siret="21590350100017", commune_insee=LILLE
        )
        somme = create_structure(
            s, "Espace numérique d'Amiens", siret="21800021700019", commune_insee=AMIENS
        )
        m_nord = create_mediator(s, "Inès Lefebvre", nord.id).id
        m_somme = create_mediator(s, "Paul Caron", somme.id).id
        structures = {"nord": nord.id, "somme": somme.id}
        create_web_user(s, "equipe@hub.test", "Équipe du hub", PASSWORD, "admin", [], None)
        create_web_user(
            s, "coord@nord.test", "Coordination Nord", PASSWORD, "coordinateur", [nord.id], None
        )
        create_web_user(
            s,
            "mairie@roubaix.test",
            "Ville de Roubaix",
            PASSWORD,
            "collectivite",
            [],
            ("commune", ROUBAIX),
        )
        create_web_user(
            s,
            "mel@lille.test",
            "Métropole de Lille",
            PASSWORD,
            "collectivite",
            [],
            ("epci", "200093201"),
        )
    dev_nord = enrol(client, db, m_nord)
    dev_somme = enrol(client, db, m_somme)
    venue_lille = {
        "id": new_id(),
        "name": "Médiathèque Jean Lévy",
        "commune_insee": LILLE,
        "commune_name": "Lille",
        "postal_code": "59000",
        "itinerant": False,
        "created_at": "2024-01-01T08:00:00Z",
        "updated_at": "2024-01-01T08:00:00Z",
        "deleted_at": None,
        "version": 1,
    }
    venue_amiens = {
        **venue_lille,
        "id": new_id(),
        "name": "Espace Dewailly",
        "commune_insee": AMIENS,
        "commune_name": "Amiens",
        "postal_code": "80000",
    }
    for dev, venue in ((dev_nord, venue_lille), (dev_somme, venue_amiens)):
        r = push(client, dev, [op(venue, entity="venue")])
        assert r.json()["results"][0]["status"] == "applied", r.text
    themes = [
        "|email|",
        "|navigation_sur_internet|",
        "|aide_aux_demarches_administratives|social_sante|",
        "|prendre_en_main_du_materiel|",
        "|securite_numerique|email|",
    ]
    sessions: dict[str, list[dict[str, Any]]] = {"nord": [], "somme": []}
    for year in (2024, 2025):
        for month in range(1, 13):
            for _ in range(rng.randint(8, 12)):
                commune = rng.choice([LILLE, LILLE, LILLE, TOURCOING])
                at_venue = rng.random() < 0.6
                sessions["nord"].append(
                    individual(
                        f"{year}-{month:02d}-{rng.randint(1, 28):02d}",
                        duration_min=rng.choice([30, 45, 60, 90]),
                        themes=rng.choice(themes),
                        place_type="lieu_activite" if at_venue else "domicile",
                        venue_id=venue_lille["id"] if at_venue else None,
                        commune_insee=LILLE if at_venue else commune,
                        beneficiary_id=rng.choice([None, *[f"N{k}" for k in range(40)]]),
                        genre=rng.choice(["feminin", "masculin", None]),
                        tags=rng.choice(["", "", "|Pass numérique|"]),
                    )
                )
            for _ in range(rng.randint(8, 12)):
                sessions["somme"].append(
                    individual(
                        f"{year}-{month:02d}-{rng.randint(1, 28):02d}",
                        place_type="lieu_activite",
                        venue_id=venue_amiens["id"],
                        commune_insee=AMIENS,
                        themes=rng.choice(themes),
                        beneficiary_id=rng.choice([None, *[f"S{k}" for k in range(25)]]),
                    )
                )
            # A workshop a month at Abbeville.
            sessions["somme"].append(
                workshop(
                    f"{year}-{month:02d}-15",
                    rng.randint(5, 9),
                    2,
                    commune_insee=ABBEVILLE,
                    duration_min=120,
                )
            )
    # Roubaix: a handful of sessions only (secret).
    sessions["nord"] += [individual("2025-04-04", commune_insee=ROUBAIX) for _ in range(3)]
    for key, payloads in sessions.items():
        dev = dev_nord if key == "nord" else dev_somme
        for k in range(0, len(payloads), 100):
            r = push(client, dev, [op(p) for p in payloads[k : k + 100]])
            assert r.status_code == 200, r.text
    emails = {
        "admin": "equipe@hub.test",
        "coordinateur": "coord@nord.test",
        "commune": "mairie@roubaix.test",
        "epci": "mel@lille.test",
    }
    return Demo(structures, {"lille": venue_lille["id"], "amiens": venue_amiens["id"]}, emails)
