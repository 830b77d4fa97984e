#!/usr/bin/env python3
"""Render Carnet's main screens offscreen to PNG under docs/screenshots/.

Uses a temporary data folder filled with realistic, generated sessions (venues in
Hauts-de-France, national themes, follow-up codes). Usage:
    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import random
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QDate  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.services.notebook import Notebook, open_notebook  # noqa: E402
from app.services.profiles import ProfileRegistry  # noqa: E402
from app.services.sessions import SessionInput  # noqa: E402

VENUES = [
    ("Médiathèque Jean Lévy", "59350", "Lille", "59000", False),
    ("Centre social du Faubourg", "59512", "Roubaix", "59100", False),
    ("France Services du Cambrésis", "59122", "Cambrai", "59400", False),
    ("Bus numérique de l'Aisne", "02408", "Laon", "02000", True),
]
INDIVIDUAL_THEMES = [
    ["email"],
    ["aide_aux_demarches_administratives", "social_sante"],
    ["prendre_en_main_du_materiel"],
    ["aide_aux_demarches_administratives", "argent_impots"],
    ["sante"],
    ["securite_numerique", "email"],
    ["navigation_sur_internet"],
    ["banque_et_achats_en_ligne"],
    ["aide_aux_demarches_administratives", "travail_formation"],
    ["insertion_professionnelle", "bureautique"],
    ["gere_ses_contenus_numeriques"],
]
DEMARCHES = {
    "social_sante": "Déclaration trimestrielle CAF",
    "argent_impots": "Déclaration de revenus",
    "travail_formation": "Inscription France Travail",
}
NOTES = [
    "",
    "",
    "Création d'une adresse e-mail, premier envoi avec pièce jointe.",
    "Réglage de la taille du texte et des sonneries.",
    "Mon Espace Santé activé ; revoir l'ajout de documents.",
    "Connexion FranceConnect, mot de passe noté dans le carnet papier.",
    "Repérer un SMS d'hameçonnage : très bonne participation.",
]
WORKSHOPS = [
    ("Découvrir sa messagerie", ["email"], "debutant"),
    ("Sécuriser son smartphone", ["securite_numerique", "prendre_en_main_du_materiel"], None),
    ("Mon Espace Santé", ["sante"], "intermediaire"),
]
TAGS = ["Pass numérique", "Conseiller numérique", "Quartier prioritaire"]


def fill_notebook(nb: Notebook, today: dt.date, count: int = 40, seed: int = 7) -> str:
    """Venues, ~``count`` sessions over three months, and one person followed closely.

    Returns the follow-up code of that person."""
    rng = random.Random(seed)
    nb.settings.set("display_name", "Camille Dufour")
    venue_ids = [nb.venues.add(*v) for v in VENUES]
    codes = [nb.beneficiaries.new_code() for _ in range(8)]
    followed = codes[0]
    followed_days = sorted(rng.sample(range(3, 88), 7))
    autonomy_path = [
        "entierement_accompagne",
        "entierement_accompagne",
        "partiellement_autonome",
        "partiellement_autonome",
        "partiellement_autonome",
        "autonome",
        "autonome",
    ]
    plan: list[SessionInput] = []
    for i, days_ago in enumerate(reversed(followed_days)):
        themes = [["email"], ["prendre_en_main_du_materiel"], ["sante"], ["securite_numerique"]][
            i % 4
        ]
        if i == 2:
            themes = ["aide_aux_demarches_administratives", "social_sante"]
        plan.append(
            SessionInput(
                date=today - dt.timedelta(days=days_ago),
                duration_min=rng.choice([45, 60]),
                venue_id=venue_ids[0],
                themes=themes,
                demarche_name=DEMARCHES.get(themes[-1], ""),
                materiels=["telephone"],
                autonomy=autonomy_path[i],
                followup_code=followed,
                age_bracket="soixante_soixante_neuf",
                genre="feminin",
                statut="retraite",
                tags=["Pass numérique"] if i < 2 else [],
            )
        )
    while len(plan) < count:
        day = today - dt.timedelta(days=rng.randint(0, 90))
        if rng.random() < 0.18:
            title, themes, level = rng.choice(WORKSHOPS)
            participants = rng.randint(4, 11)
            plan.append(
                SessionInput(
                    kind="collectif",
                    date=day,
                    duration_min=rng.choice([90, 120]),
                    venue_id=rng.choice(venue_ids),
                    themes=list(themes),
                    materiels=["ordinateur", "telephone"],
                    workshop_title=title,
                    workshop_level=level,
                    participants=participants,
                    participants_returning=rng.randint(0, participants),
                    tags=[rng.choice(TAGS)] if rng.random() < 0.4 else [],
                    notes=rng.choice(NOTES),
                )
            )
            continue
        themes = rng.choice(INDIVIDUAL_THEMES)
        place = rng.random()
        inp = SessionInput(
            date=day,
            duration_min=rng.choice([15, 30, 30, 45, 45, 60, 90]),
            themes=list(themes),
            demarche_name=DEMARCHES.get(themes[-1], ""),
            materiels=[rng.choice(["ordinateur", "telephone", "tablette"])],
            autonomy=rng.choice(list(("entierement_accompagne", "partiellement_autonome", None))),
            followup_code=rng.choice(codes[1:]) if rng.random() < 0.5 else "",
            age_bracket=rng.choice(["quarante_cinquante_neuf", "soixante_dix_plus", None]),
            tags=[rng.choice(TAGS)] if rng.random() < 0.3 else [],
            notes=rng.choice(NOTES),
        )
        if place < 0.8:
            inp.venue_id = rng.choice(venue_ids)
        elif place < 0.9:
            inp.place_type = "domicile"
            inp.commune_insee, inp.commune_name, inp.postal_code = "59599", "Tourcoing", "59200"
        else:
            inp.place_type = "a_distance"
        plan.append(inp)
    for inp in sorted(plan, key=lambda s: s.date):
        nb.sessions.record(inp)
    return followed


def save(widget: QWidget, out: Path, name: str) -> Path:
    widget.show()
    for _ in range(5):
        QApplication.processEvents()
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from app.ui.application import apply_style
    from app.ui.context import AppContext
    from app.ui.i18n import install_translators
    from app.ui.main_window import MainWindow
    from app.ui.settings_dialog import SettingsDialog
    from app.ui.welcome import WelcomeDialog

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    translators = install_translators(app, "fr")  # noqa: F841 (kept alive)
    apply_style(app)
    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="carnet-captures-") as tmp:
        data_dir = Path(tmp)
        registry = ProfileRegistry(data_dir)
        context = AppContext(data_dir, data_dir / "journal" / "carnet.log", registry)
        context.communes.load()

        # Welcome, as on the first start, half filled in.
        fresh = open_notebook(data_dir / "premier-demarrage" / "carnet.db")
        welcome = WelcomeDialog(fresh, context.communes)
        welcome.name_edit.setText("Camille D.")
        welcome.venues.name_edit.setText("Médiathèque Jean Lévy")
        welcome.venues.commune_picker.set_value("59350", "Lille", "59000")
        welcome.venues.add_pending()
        welcome.venues.name_edit.setText("Bus numérique de l'Aisne")
        welcome.venues.itinerant_check.setChecked(True)
        save(welcome, out, "01-bienvenue")
        welcome.close()
        fresh.close()

        profile = registry.create("Camille Dufour")
        registry.create("Karim B.")
        registry.set_pin(registry.profiles[-1].id, "2580")
        registry.mark_used(profile.id)
        nb = open_notebook(registry.db_path(profile.id))
        followed = fill_notebook(nb, today)

        window = MainWindow(nb, profile.id, context)
        window.resize(1280, 760)
        window.sessions_view.select_ids(
            [window.sessions_view.model.session_id(1) or ""],
            window.sessions_view.model.session_id(1),
        )
        save(window, out, "02-liste-des-seances")

        bar = window.sessions_view.filter_bar
        bar.period_combo.setCurrentIndex(bar.period_combo.findData("custom"))
        bar.date_from.setDate(QDate(today.year, today.month, 1).addMonths(-1))
        bar.date_to.setDate(QDate(today.year, today.month, today.day))
        bar.theme_combo.setCurrentIndex(bar.theme_combo.findData("email"))
        save(window, out, "03-filtres")
        bar.reset_button.click()

        page = window.open_person_page(followed)
        assert page is not None
        page.resize(980, 940)
        save(page, out, "04-personne-suivie")
        page.close()

        settings = SettingsDialog(nb, registry, profile.id, context.communes)
        settings.tabs.setCurrentIndex(1)
        save(settings, out, "05-parametres")
        settings.close()

        if importlib.util.find_spec("app.ui.session_form") is not None:
            from app.ui.session_form import SessionFormDialog

            form = SessionFormDialog(nb, context.communes)
            form.resize(980, 860)
            save(form, out, "06-nouvelle-seance")
            form.close()

        from app.ui.profile_dialogs import ProfilePickerDialog

        picker = ProfilePickerDialog(registry, registry.profiles[-1].id)
        save(picker, out, "07-choix-du-profil")
        picker.close()

        # Training paths: their own module (scripts/screenshots_training.py).
        spec = importlib.util.spec_from_file_location(
            "screenshots_training", ROOT / "scripts" / "screenshots_training.py"
        )
        assert spec is not None and spec.loader is not None
        training_shots = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(training_shots)
        training_shots.capture(nb, window, followed, out, save, today)
        # Sync: its own module (scripts/screenshots_sync.py), with a real hub on loopback.
        spec = importlib.util.spec_from_file_location(
            "screenshots_sync", ROOT / "scripts" / "screenshots_sync.py"
        )
        assert spec is not None and spec.loader is not None
        sync_shots = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sync_shots)
        sync_shots.capture(nb, context, profile.id, out, save, data_dir / "hub")
        window.close()
        nb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
