import pytest

from app.services.privacy import find_identity_data


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("écrire à jean.dupont@example.org demain", "email"),
        ("rappeler au 06 12 34 56 78", "telephone"),
        ("tel 0612345678", "telephone"),
        ("+33 6 12 34 56 78", "telephone"),
        ("NIR 1 85 05 78 006 084 36", "nir"),
        ("sécu 185057800608436", "nir"),
        ("corse 2 69 05 2A 123 456 12", "nir"),
    ],
)
def test_identity_like_text_is_spotted(text, kind):
    kinds = {w.kind for w in find_identity_data(text)}
    assert kind in kinds


@pytest.mark.parametrize(
    "text",
    [
        "Création d'une adresse e-mail, ok pour envoyer une pièce jointe",
        "Dossier CAF en 3 étapes, 45 minutes, rendez-vous le 12/03",
        "Code postal 59000, atelier de 10 h à 12 h",
        "",
    ],
)
def test_ordinary_notes_pass(text):
    assert find_identity_data(text) == []


def test_warning_message_is_french():
    (w,) = find_identity_data("mail: a@b.fr")
    assert "adresse e-mail" in w.message
