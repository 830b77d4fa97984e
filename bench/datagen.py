"""Generate a realistic notebook database quickly, for benchmarks (not for tests of behaviour).

Rows go straight into SQLite with executemany in one transaction (the services would write an
outbox entry per row and take minutes for 100,000 sessions). Distributions follow what mediators
record most: short individual sessions, e-mail / démarches / smartphone themes, a few workshops.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from pathlib import Path

from app.models import referentiels as ref
from app.models.entities import join_codes
from app.models.ids import UUID7Generator
from app.models.migrate import prepare_database
from app.services import followup_codes

VENUES = [
    ("Médiathèque Jean Lévy", "59350", "Lille", "59000", False),
    ("Centre social du Faubourg", "59512", "Roubaix", "59100", False),
    ("France Services Cambrésis", "59122", "Cambrai", "59400", False),
    ("Tiers-lieu La Fabrique", "80021", "Amiens", "80000", False),
    ("Bus numérique de l'Aisne", "02408", "Laon", "02000", True),
    ("Espace public numérique", "62041", "Arras", "62000", False),
]
THEME_WEIGHTS = {
    "email": 14,
    "aide_aux_demarches_administratives": 16,
    "prendre_en_main_du_materiel": 12,
    "navigation_sur_internet": 8,
    "sante": 6,
    "securite_numerique": 6,
    "banque_et_achats_en_ligne": 4,
    "bureautique": 4,
    "reseaux_sociaux": 3,
    "insertion_professionnelle": 4,
    "diagnostic_numerique": 3,
    "gere_ses_contenus_numeriques": 3,
    "intelligence_artificielle": 1,
    "parentalite": 1,
    "culture_numerique": 1,
}
DEMARCHES = list(ref.THEMES_DEMARCHES)
DURATIONS = [15, 30, 30, 45, 45, 60, 60, 60, 90, 120]
NOTES = [
    "",
    "",
    "",
    "Création d'une adresse e-mail et premier envoi.",
    "Dossier CAF : déclaration trimestrielle faite ensemble.",
    "Prise en main du smartphone, réglages de la taille du texte.",
    "Mon Espace Santé activé, à revoir pour les documents.",
    "Impôts : déclaration en ligne, accès FranceConnect.",
]
WORKSHOPS = ["Découvrir la messagerie", "Sécuriser son smartphone", "Mon Espace Santé"]
COLUMNS = [
    "id",
    "kind",
    "date",
    "duration_min",
    "place_type",
    "venue_id",
    "commune_insee",
    "commune_name",
    "postal_code",
    "themes",
    "demarche_name",
    "materiels",
    "tags",
    "notes",
    "autonomy",
    "oriented",
    "orientation",
    "beneficiary_id",
    "genre",
    "age_bracket",
    "statut",
    "workshop_title",
    "workshop_level",
    "participants",
    "participants_returning",
    "counters",
    "created_at",
    "updated_at",
]
TAGS = ["", "", "", "|Pass numérique|", "|Conseiller numérique|", "|Atelier senior|"]


def generate_notebook(
    db_path: Path, n_sessions: int, seed: int = 42, years: int = 5
) -> dict[str, int]:
    """Create (or extend) the notebook at ``db_path`` with ``n_sessions`` generated sessions."""
    prepare_database(db_path)
    rng = random.Random(seed)
    gen = UUID7Generator()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    today = dt.date.today()
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    cur = con.cursor()
    venue_ids = []
    for name, insee, commune, cp, itinerant in VENUES:
        vid = str(gen())
        venue_ids.append((vid, insee, commune, cp))
        cur.execute(
            "INSERT INTO venue (id, name, commune_insee, commune_name, postal_code, itinerant, "
            "created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,1)",
            (vid, name, insee, commune, cp, int(itinerant), now, now),
        )
    n_people = max(1, n_sessions // 4)
    people = []
    for _ in range(n_people):
        bid = str(gen())
        people.append(bid)
    codes: set[str] = set()
    ben_rows = []
    for bid in people:
        code = followup_codes.new_code()
        while code in codes:
            code = followup_codes.new_code()
        codes.add(code)
        ben_rows.append((bid, code, now, now))
    cur.executemany(
        "INSERT INTO beneficiary (id, code, created_at, updated_at, version) VALUES (?,?,?,?,1)",
        ben_rows,
    )
    themes = list(THEME_WEIGHTS)
    weights = list(THEME_WEIGHTS.values())
    rows = []
    span_days = 365 * years
    for _ in range(n_sessions):
        day = today - dt.timedelta(days=int(rng.random() ** 0.7 * span_days))
        vid, insee, commune, cp = rng.choice(venue_ids)
        chosen = set(rng.choices(themes, weights, k=rng.choice([1, 1, 1, 2, 2, 3])))
        demarche = None
        if "aide_aux_demarches_administratives" in chosen:
            chosen.add(rng.choice(DEMARCHES))
            demarche = (
                rng.choice(["", "", "Déclaration CAF", "Prime d'activité", "Carte grise"]) or None
            )
        created = now - dt.timedelta(days=(today - day).days, minutes=rng.randint(0, 600))
        row = dict.fromkeys(COLUMNS)
        row.update(
            id=str(gen()),
            date=day.isoformat(),
            place_type="lieu_activite",
            venue_id=vid,
            commune_insee=insee,
            commune_name=commune,
            postal_code=cp,
            themes=join_codes([t for t in ref.THEMES if t in chosen]),
            demarche_name=demarche,
            tags=rng.choice(TAGS),
            notes=rng.choice(NOTES),
            created_at=created,
            updated_at=created,
        )
        if rng.random() < 0.08:
            participants = rng.randint(3, 12)
            row.update(
                kind="collectif",
                duration_min=rng.choice([60, 90, 120]),
                materiels="|ordinateur|",
                workshop_title=rng.choice(WORKSHOPS),
                workshop_level=rng.choice(list(ref.NIVEAUX_ATELIER)),
                participants=participants,
                participants_returning=rng.randint(0, participants),
                counters=json.dumps({"genre": {"feminin": participants // 2}}),
            )
        else:
            row.update(
                kind="individuel",
                duration_min=rng.choice(DURATIONS),
                materiels=rng.choice(
                    ["|ordinateur|", "|telephone|", "|telephone|", "|tablette|", "|aucun|"]
                ),
                autonomy=rng.choice(list(ref.AUTONOMIES)),
                oriented=rng.random() < 0.2,
                beneficiary_id=rng.choice(people) if rng.random() < 0.7 else None,
                genre=rng.choice(list(ref.GENRES)),
                age_bracket=rng.choice(list(ref.TRANCHES_AGE)),
                statut=rng.choice(list(ref.STATUTS)),
            )
            if row["oriented"]:
                row["orientation"] = rng.choice(list(ref.ORIENTATIONS))
        rows.append(row)
    cur.executemany(
        f"INSERT INTO accompagnement ({', '.join(COLUMNS)}, version) "
        f"VALUES ({', '.join(':' + c for c in COLUMNS)}, 1)",
        rows,
    )
    cur.execute("INSERT OR REPLACE INTO setting (key, value) VALUES ('display_name', 'Camille')")
    con.commit()
    con.execute("PRAGMA optimize")
    con.close()
    return {"sessions": n_sessions, "people": n_people, "venues": len(venue_ids)}


if __name__ == "__main__":
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Génère un carnet de test")
    parser.add_argument("db", type=Path)
    parser.add_argument("-n", type=int, default=100_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    print(generate_notebook(args.db, args.n), f"{time.perf_counter() - t0:.1f} s")
