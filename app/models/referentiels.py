"""National reference lists (référentiels) of digital-inclusion support.

The codes are those of the national tools (Coop de la médiation numérique, formerly the CRA of
Conseillers numériques), so that exports and hub reports line up with national steering. We store
the code and show the French label. A list is versioned: codes are never reused nor renamed.
This module is Qt-free and shared with the hub.
"""

from __future__ import annotations

from typing import Final

REFERENTIELS_VERSION: Final = "2025.1"

TYPES: Final[dict[str, str]] = {
    "individuel": "Accompagnement individuel",
    "collectif": "Atelier collectif",
}
# Legacy type folded into individuel + the administrative theme.
LEGACY_TYPE_DEMARCHE: Final = "demarche"

DURATION_PRESETS: Final[tuple[int, ...]] = (15, 30, 45, 60, 90, 120)
DURATION_MAX_MINUTES: Final = 23 * 60 + 59
DURATION_BUCKETS: Final[dict[str, str]] = {
    "moins_30": "Moins de 30 min",
    "30_60": "30 min à 1 h",
    "60_120": "1 h à 2 h",
    "plus_120": "2 h ou plus",
}


def duration_bucket(minutes: int) -> str:
    if minutes < 30:
        return "moins_30"
    if minutes < 60:
        return "30_60"
    if minutes < 120:
        return "60_120"
    return "plus_120"


PLACE_TYPES: Final[dict[str, str]] = {
    "lieu_activite": "Lieu d'activité",
    "domicile": "À domicile",
    "a_distance": "À distance",
    "autre": "Autre lieu",
}

THEMES_MEDIATION: Final[dict[str, str]] = {
    "diagnostic_numerique": "Diagnostic numérique",
    "prendre_en_main_du_materiel": "Prendre en main du matériel",
    "maintenance_de_materiel": "Maintenance de matériel",
    "gere_ses_contenus_numeriques": "Gérer ses contenus numériques",
    "navigation_sur_internet": "Navigation sur internet",
    "email": "E-mail",
    "bureautique": "Bureautique",
    "reseaux_sociaux": "Réseaux sociaux communication",
    "sante": "Santé",
    "banque_et_achats_en_ligne": "Banque et achats en ligne",
    "entrepreneuriat": "Accompagner un professionnel",
    "insertion_professionnelle": "Insertion professionnelle",
    "securite_numerique": "Prévention en sécurité numérique",
    "parentalite": "Parentalité",
    "scolarite_et_numerique": "Scolarité et numérique",
    "creer_avec_le_numerique": "Créer avec le numérique",
    "culture_numerique": "Culture numérique",
    "intelligence_artificielle": "Intelligence artificielle (IA)",
    "aide_aux_demarches_administratives": "Aide aux démarches administratives",
}
ADMIN_THEME: Final = "aide_aux_demarches_administratives"
THEMES_DEMARCHES: Final[dict[str, str]] = {
    "papiers_elections_citoyennete": "Papiers - Élections - Citoyenneté",
    "famille_scolarite": "Famille - Scolarité",
    "social_sante": "Social - Santé",
    "travail_formation": "Travail - Formation - Entreprise",
    "logement": "Logement",
    "transports_mobilite": "Transports - Mobilité",
    "argent_impots": "Argent - Impôts",
    "justice": "Justice",
    "etrangers_europe": "Étrangers - Europe",
    "loisirs_sports_culture": "Loisirs - Sports - Culture",
    "associations": "Associations",
}
THEMES: Final[dict[str, str]] = {**THEMES_MEDIATION, **THEMES_DEMARCHES}

MATERIELS: Final[dict[str, str]] = {
    "ordinateur": "Ordinateur",
    "telephone": "Téléphone",
    "tablette": "Tablette",
    "autre": "Autre matériel",
    "aucun": "Pas de matériel",
}

AUTONOMIES: Final[dict[str, str]] = {
    "entierement_accompagne": "Avec guidage",
    "partiellement_autonome": "Autonome avec guidage en cas de besoin",
    "autonome": "Autonome",
}
AUTONOMY_SCORE: Final[dict[str, int]] = {
    "entierement_accompagne": 1,
    "partiellement_autonome": 2,
    "autonome": 3,
}

ORIENTATIONS: Final[dict[str, str]] = {
    "administration": "Administration (mairie, préfecture…)",
    "mediation_numerique": "Autre structure de médiation numérique",
    "operateur_ou_organisme_en_charge": "Opérateur ou organisme en charge de la démarche administrative",
    "aide_sociale": "Structure d'aide sociale (maison des solidarités, centre social…)",
    "insertion_professionnelle": "Structure d'insertion professionnelle (France Travail, mission locale…)",
    "aide_aux_demarches_administratives": "Structure d'aide aux démarches administratives (France Services…)",
    "autre": "Autre",
}

NIVEAUX_ATELIER: Final[dict[str, str]] = {
    "debutant": "Débutant",
    "intermediaire": "Intermédiaire",
    "avance": "Avancé",
}

GENRES: Final[dict[str, str]] = {
    "masculin": "Masculin",
    "feminin": "Féminin",
    "non_communique": "Non communiqué",
}
TRANCHES_AGE: Final[dict[str, str]] = {
    "moins_de_douze": "Moins de 12 ans",
    "douze_dix_huit": "12-17 ans",
    "dix_huit_vingt_quatre": "18-24 ans",
    "vingt_cinq_trente_neuf": "25-39 ans",
    "quarante_cinquante_neuf": "40-59 ans",
    "soixante_soixante_neuf": "60-69 ans",
    "soixante_dix_plus": "70 ans et plus",
    "non_communique": "Non communiqué",
}
STATUTS: Final[dict[str, str]] = {
    "scolarise": "Scolarisé",
    "sans_emploi": "Sans emploi",
    "en_emploi": "En emploi",
    "retraite": "Retraité",
    "non_communique": "Non communiqué ou hétérogène",
}
NON_COMMUNIQUE: Final = "non_communique"

TAG_SCOPES: Final[dict[str, str]] = {
    "personnel": "Personnel",
    "equipe": "Équipe",
    "departemental": "Départemental",
    "national": "National",
}

# Pix / CRCN competence framework: 16 competences in 5 domains.
CRCN_DOMAINS: Final[dict[str, str]] = {
    "1": "Information et données",
    "2": "Communication et collaboration",
    "3": "Création de contenu",
    "4": "Protection et sécurité",
    "5": "Environnement numérique",
}
CRCN_COMPETENCES: Final[dict[str, str]] = {
    "1.1": "Mener une recherche et une veille d'information",
    "1.2": "Gérer des données",
    "1.3": "Traiter des données",
    "2.1": "Interagir",
    "2.2": "Partager et publier",
    "2.3": "Collaborer",
    "2.4": "S'insérer dans le monde numérique",
    "3.1": "Développer des documents textuels",
    "3.2": "Développer des documents multimédia",
    "3.3": "Adapter les documents à leur finalité",
    "3.4": "Programmer",
    "4.1": "Sécuriser l'environnement numérique",
    "4.2": "Protéger les données personnelles et la vie privée",
    "4.3": "Protéger la santé, le bien-être et l'environnement",
    "5.1": "Résoudre des problèmes techniques",
    "5.2": "Construire un environnement numérique",
}

HAUTS_DE_FRANCE_DEPARTEMENTS: Final = ("02", "59", "60", "62", "80")


def label(table: dict[str, str], code: str | None, default: str = "Non communiqué") -> str:
    """French label of a code; unknown codes are shown as they are rather than hidden."""
    if not code:
        return default
    return table.get(code, code)
