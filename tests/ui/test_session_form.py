"""The session form driven like a mediator would: real widgets, real notebook database.

Fixtures ``communes``, ``venues`` (a venue in Lille, one in Roubaix, listed first by name) and
``main_window`` come from tests/ui/conftest.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.services import followup_codes
from app.services.drafts import NEW_SESSION_KEY, key_for
from app.services.sessions import SessionFilter, SessionInput
from app.ui.session_form import SessionFormDialog

LEFT = Qt.MouseButton.LeftButton


def open_form(qtbot, notebook, communes, **kw) -> SessionFormDialog:
    dlg = SessionFormDialog(notebook, communes, **kw)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow)
    return dlg


def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, LEFT)


def type_into(qtbot, widget: QWidget, text: str) -> None:
    """Type ``text`` key by key (QTest only knows ASCII keys: accents go as text events)."""
    widget.setFocus()
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch)
                )


def save_with_keyboard(qtbot, dlg: SessionFormDialog) -> None:
    qtbot.keyClick(
        QApplication.focusWidget() or dlg, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
    )


def only_session(notebook) -> SessionInput:
    ids = notebook.sessions.list_ids(SessionFilter())
    assert len(ids) == 1
    return notebook.sessions.get(ids[0])


# ---- recording ---------------------------------------------------------------------------------
def test_record_an_individual_session(qtbot, notebook, communes, venues):
    dlg = open_form(qtbot, notebook, communes)
    saved: list[str] = []
    dlg.sig_saved.connect(saved.append)
    assert dlg.kind.current() == "individuel" and dlg.person_card.isVisible()
    assert not dlg.workshop_card.isVisible()
    dlg.date_edit.setDate(QDate.currentDate().addDays(-2))
    click(qtbot, dlg.duration.presets.chip("60"))
    click(qtbot, dlg.place.venues.chip(venues["lille"]))
    click(qtbot, dlg.themes.main.chip("email"))
    click(qtbot, dlg.themes.main.chip("securite_numerique"))
    click(qtbot, dlg.materials.chip("telephone"))
    click(qtbot, dlg.code.new_button)
    code = dlg.code.value()
    assert followup_codes.is_valid(code)
    click(qtbot, dlg.autonomy.chip("partiellement_autonome"))
    click(qtbot, dlg.oriented.chip("oui"))
    assert dlg.orientation.isVisible()
    dlg.orientation.setCurrentIndex(dlg.orientation.findData("aide_sociale"))
    click(qtbot, dlg.characteristics.toggle_button)
    click(qtbot, dlg.genre.chip("feminin"))
    click(qtbot, dlg.age.chip("soixante_soixante_neuf"))
    click(qtbot, dlg.statut.chip("retraite"))
    type_into(qtbot, dlg.residence.edit, "roubaix")
    qtbot.keyClick(dlg.residence.edit, Qt.Key.Key_Return)
    type_into(qtbot, dlg.tags.edit, "Pass numérique")
    qtbot.keyClick(dlg.tags.edit, Qt.Key.Key_Return)
    type_into(qtbot, dlg.notes, "Arnaque par SMS évitée.")

    click(qtbot, dlg.save_button)

    assert saved and not dlg.isVisible()
    got = notebook.sessions.get(saved[0])
    assert got.kind == "individuel"
    assert got.date == dt.date.today() - dt.timedelta(days=2)
    assert got.duration_min == 60
    assert (got.place_type, got.venue_id, got.commune_name) == (
        "lieu_activite",
        venues["lille"],
        "Lille",
    )
    assert got.themes == ["email", "securite_numerique"]
    assert got.materiels == ["telephone"]
    assert got.followup_code == code
    assert (got.autonomy, got.oriented, got.orientation) == (
        "partiellement_autonome",
        True,
        "aide_sociale",
    )
    assert (got.genre, got.age_bracket, got.statut) == (
        "feminin",
        "soixante_soixante_neuf",
        "retraite",
    )
    assert (got.residence_insee, got.residence_name) == ("59512", "Roubaix")
    assert got.tags == ["Pass numérique"] and got.notes == "Arnaque par SMS évitée."
    assert notebook.drafts.load(NEW_SESSION_KEY) is None


def test_record_a_workshop_with_counters(qtbot, notebook, communes, venues):
    dlg = open_form(qtbot, notebook, communes)
    click(qtbot, dlg.kind.chip("collectif"))
    assert dlg.workshop_card.isVisible() and not dlg.person_card.isVisible()
    click(qtbot, dlg.place.types.chip("autre"))
    assert dlg.place.commune.isVisible() and not dlg.place.venues.isVisible()
    type_into(qtbot, dlg.place.commune.edit, "59100")
    assert dlg.place.commune.suggestions()[0].startswith("Roubaix (59100)")
    qtbot.keyClick(dlg.place.commune.edit, Qt.Key.Key_Return)
    click(qtbot, dlg.themes.main.chip("sante"))
    type_into(qtbot, dlg.workshop_title, "Mon Espace Santé")
    click(qtbot, dlg.level.chip("debutant"))
    dlg.participants.setValue(8)
    dlg.returning.setValue(3)
    click(qtbot, dlg.counters_section.toggle_button)
    assert dlg.counters.isVisible()
    dlg.counters.spins["genre"]["feminin"].setValue(5)
    dlg.counters.spins["genre"]["masculin"].setValue(2)
    dlg.counters.spins["age"]["soixante_dix_plus"].setValue(4)
    assert dlg.counters._rest["genre"].text() == "Not stated: 1"

    save_with_keyboard(qtbot, dlg)

    got = only_session(notebook)
    assert got.kind == "collectif" and got.workshop_title == "Mon Espace Santé"
    assert (got.place_type, got.commune_insee, got.postal_code) == ("autre", "59512", "59100")
    assert (got.participants, got.participants_returning, got.workshop_level) == (8, 3, "debutant")
    # Counters stay counters: nothing per person, nothing invented for the rest.
    assert got.counters == {"genre": {"feminin": 5, "masculin": 2}, "age": {"soixante_dix_plus": 4}}
    assert got.followup_code == "" and got.genre is None


def test_new_form_starts_from_the_last_session(qtbot, notebook, communes, venues):
    notebook.sessions.record(
        SessionInput(
            venue_id=venues["lille"], themes=["email"], duration_min=90, materiels=["tablette"]
        )
    )
    dlg = open_form(qtbot, notebook, communes)
    inp = dlg.current_input()
    assert (inp.date, inp.duration_min, inp.venue_id) == (dt.date.today(), 90, venues["lille"])
    assert inp.themes == [] and inp.materiels == ["tablette"]
    assert dlg.duration.presets.chips()[0].code == "90"  # the most used duration comes first
    assert dlg.themes.main.chips()[0].code == "email" and dlg.themes.main.chips()[0].number == 1
    assert dlg.date_edit.maximumDate() == QDate.currentDate()  # never in the future


def test_edit_and_duplicate(qtbot, notebook, communes, venues):
    sid = notebook.sessions.record(
        SessionInput(
            venue_id=venues["roubaix"], themes=["email"], notes="première", date=dt.date(2025, 3, 4)
        )
    )
    dlg = open_form(qtbot, notebook, communes, session_id=sid)
    assert dlg.windowTitle() == "Edit the session"
    assert dlg.current_input().date == dt.date(2025, 3, 4)
    click(qtbot, dlg.themes.main.chip("sante"))
    click(qtbot, dlg.save_button)
    assert notebook.sessions.get(sid).themes == ["email", "sante"]
    assert notebook.sessions.count() == 1

    copy = notebook.sessions.duplicate(sid)
    dlg = open_form(qtbot, notebook, communes, initial=copy)
    assert dlg.current_input().themes == ["email", "sante"]
    click(qtbot, dlg.save_button)
    assert notebook.sessions.count() == 2


# ---- validation --------------------------------------------------------------------------------
def test_validation_errors_show_next_to_fields_and_keep_everything(qtbot, notebook, communes):
    notebook.venues.add("A", None, None, None)
    notebook.venues.add("B", None, None, None)
    dlg = open_form(qtbot, notebook, communes)
    click(qtbot, dlg.kind.chip("collectif"))
    click(qtbot, dlg.place.venues.chips()[0])  # unticks the venue proposed by default
    assert dlg.place.venue_id() is None
    click(qtbot, dlg.duration.presets.chip("autre"))
    assert dlg.duration.hours.hasFocus()
    dlg.duration.hours.setValue(0)
    dlg.duration.minutes.setValue(0)
    type_into(qtbot, dlg.notes, "Atelier prévu avec la CAF")
    type_into(qtbot, dlg.tags.edit, "Conseiller numérique")
    dlg.participants.setValue(2)
    dlg.returning.setValue(5)
    before = dlg.current_input()

    click(qtbot, dlg.save_button)

    assert dlg.isVisible() and notebook.sessions.count() == 0
    assert dlg.field_error("duration_min") == "Indiquez une durée entre 1 minute et 23 h 59."
    assert dlg.field_error("venue_id") == "Choisissez le lieu d'activité."
    assert dlg.field_error("themes") == "Choisissez au moins une thématique."
    assert dlg.field_error("workshop_title") == "Donnez un titre à l'atelier."
    assert "dépasser le total" in dlg.field_error("participants_returning")
    assert dlg.save_message.isVisible() and "5 field(s)" in dlg.save_message.text()
    # The first field in error (duration, at the top) has the focus; nothing typed is lost.
    assert dlg.duration.hours.hasFocus()
    assert dlg.current_input() == before
    # Correcting a field removes its message at once.
    dlg.duration.hours.setValue(1)
    assert dlg.field_error("duration_min") == ""

    click(qtbot, dlg.place.venues.chips()[0])
    click(qtbot, dlg.themes.main.chip("email"))
    type_into(qtbot, dlg.workshop_title, "Envoyer un mail")
    dlg.returning.setValue(1)
    click(qtbot, dlg.save_button)
    got = only_session(notebook)
    assert (got.duration_min, got.participants_returning) == (60, 1)
    assert got.notes == "Atelier prévu avec la CAF" and got.tags == ["Conseiller numérique"]


def test_commune_is_required_at_home(qtbot, notebook, communes, venues):
    dlg = open_form(qtbot, notebook, communes)
    click(qtbot, dlg.place.types.chip("domicile"))
    assert dlg.place.commune.edit.hasFocus()
    click(qtbot, dlg.themes.main.chip("email"))
    type_into(qtbot, dlg.place.commune.edit, "Lill")  # typed but not picked
    click(qtbot, dlg.save_button)
    assert dlg.field_error("commune") == "Indiquez la commune (nom ou code postal)."
    assert dlg.place.commune.edit.hasFocus() and dlg.place.commune.edit.text() == "Lill"
    qtbot.keyClick(dlg.place.commune.edit, Qt.Key.Key_E)
    qtbot.keyClick(dlg.place.commune.edit, Qt.Key.Key_Return)
    assert dlg.place.commune.value() == ("59350", "Lille", "59000")
    click(qtbot, dlg.save_button)
    got = only_session(notebook)
    assert (got.place_type, got.commune_insee, got.venue_id) == ("domicile", "59350", None)


# ---- themes ------------------------------------------------------------------------------------
def test_admin_sub_themes_only_under_the_admin_theme(qtbot, notebook, communes, venues):
    dlg = open_form(qtbot, notebook, communes)
    assert not dlg.themes.admin_box.isVisible()
    admin = dlg.themes.main.chip("aide_aux_demarches_administratives")
    click(qtbot, admin)
    assert dlg.themes.admin_box.isVisible() and dlg.themes.demarche_name.isVisible()
    click(qtbot, dlg.themes.sub.chip("logement"))
    type_into(qtbot, dlg.themes.demarche_name, "Demande APL")
    # Unticking the admin theme hides the sub-themes; they are not saved, but come back.
    click(qtbot, admin)
    assert not dlg.themes.admin_box.isVisible()
    assert dlg.input_to_save().themes == []
    click(qtbot, admin)
    assert dlg.themes.sub.value() == ["logement"]
    click(qtbot, dlg.save_button)
    got = only_session(notebook)
    assert got.themes == ["aide_aux_demarches_administratives", "logement"]
    assert got.demarche_name == "Demande APL"


def test_no_material_is_exclusive(qtbot, notebook, communes, venues):
    dlg = open_form(qtbot, notebook, communes)
    click(qtbot, dlg.materials.chip("ordinateur"))
    click(qtbot, dlg.materials.chip("tablette"))
    click(qtbot, dlg.materials.chip("aucun"))
    assert dlg.materials.value() == ["aucun"]
    click(qtbot, dlg.materials.chip("telephone"))
    assert dlg.materials.value() == ["telephone"]


def test_theme_shortcuts(qtbot, notebook, communes, venues):
    for theme in ("sante", "sante", "email"):
        notebook.sessions.record(SessionInput(venue_id=venues["roubaix"], themes=[theme]))
    dlg = open_form(qtbot, notebook, communes)
    # Alt+digit anywhere in the form ticks the most used themes...
    dlg.notes.setFocus()
    qtbot.keyClick(dlg.notes, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(dlg.notes, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert dlg.themes.value() == ["sante", "email"]
    assert dlg.notes.toPlainText() == ""
    qtbot.keyClick(dlg.notes, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert dlg.themes.value() == ["email"]
    # ...and plain digits do it while the focus is on the themes.
    dlg.themes.focus_first()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_3)
    assert len(dlg.themes.value()) == 2


# ---- follow-up code ----------------------------------------------------------------------------
def test_followup_code_flow(qtbot, notebook, communes, venues):
    known = notebook.beneficiaries.new_code()
    notebook.sessions.record(
        SessionInput(venue_id=venues["roubaix"], themes=["email"], followup_code=known)
    )
    notebook.sessions.record(
        SessionInput(venue_id=venues["roubaix"], themes=["sante"], followup_code=known)
    )
    dlg = open_form(qtbot, notebook, communes)
    code = dlg.code

    click(qtbot, code.new_button)
    assert followup_codes.is_valid(code.value()) and code.value() != known
    assert code.status_text() == "New person"

    # A typo (two characters swapped) is caught as it is typed, with a French explanation.
    raw = followup_codes.normalize(known)
    swapped = raw[:2] + raw[3] + raw[2] + raw[4:]
    typo = swapped if not followup_codes.is_valid(swapped) else raw[:-1] + "X"
    code.edit.clear()
    type_into(qtbot, code.edit, typo.lower())
    assert code.edit.text() == typo  # upper-cased while typing
    assert "faute de frappe" in code.problem_text()
    code.edit.clear()
    type_into(qtbot, code.edit, "KR0")
    assert code.problem_text() == "Caractère(s) impossible(s) dans un code : 0."

    code.edit.clear()
    type_into(qtbot, code.edit, raw.lower())
    assert code.problem_text() == ""
    assert code.status_text() == "Already supported · 2 session(s)"
    click(qtbot, dlg.themes.main.chip("email"))
    qtbot.keyClick(code.edit, Qt.Key.Key_Tab)
    assert code.edit.text() == known  # shown in its canonical ABC-DEF form
    click(qtbot, dlg.save_button)
    assert notebook.beneficiaries.sessions_count(known) == 3


def test_bad_code_blocks_saving_with_the_message_under_the_field(qtbot, notebook, communes, venues):
    dlg = open_form(qtbot, notebook, communes)
    click(qtbot, dlg.themes.main.chip("email"))
    type_into(qtbot, dlg.code.edit, "ACD")
    click(qtbot, dlg.save_button)
    assert dlg.field_error("followup_code") == "Un code compte 6 caractères (3 saisis)."
    assert dlg.code.edit.hasFocus() and notebook.sessions.count() == 0


# ---- privacy -----------------------------------------------------------------------------------
def test_note_with_identity_data_is_warned_inline(qtbot, notebook, communes, venues):
    dlg = open_form(qtbot, notebook, communes)
    click(qtbot, dlg.themes.main.chip("email"))
    type_into(qtbot, dlg.notes, "Rappeler au 06 12 34 56 78 pour la CAF")
    click(qtbot, dlg.save_button)
    assert notebook.sessions.count() == 0
    assert dlg.privacy_banner.isVisible()
    assert "numéro de téléphone" in dlg.privacy_text.text()
    assert QApplication.activeModalWidget() is None  # inline, not a blocking box
    assert dlg.edit_note_button.hasFocus()

    click(qtbot, dlg.edit_note_button)
    assert dlg.notes.hasFocus() and dlg.notes.textCursor().selectedText() == "06 12 34 56 78"
    qtbot.keyClick(dlg.notes, Qt.Key.Key_Delete)
    assert dlg.notes.toPlainText() == "Rappeler au  pour la CAF"
    type_into(qtbot, dlg.notes, " jean.dupont@example.org")
    click(qtbot, dlg.save_button)
    assert dlg.privacy_banner.isVisible() and "adresse e-mail" in dlg.privacy_text.text()

    click(qtbot, dlg.save_anyway_button)
    assert "jean.dupont@example.org" in only_session(notebook).notes


# ---- drafts ------------------------------------------------------------------------------------
def fill_for_draft(qtbot, dlg: SessionFormDialog, venue: str) -> None:
    click(qtbot, dlg.kind.chip("collectif"))
    click(qtbot, dlg.duration.presets.chip("autre"))
    dlg.duration.hours.setValue(1)
    dlg.duration.minutes.setValue(20)
    click(qtbot, dlg.place.venues.chip(venue))
    click(qtbot, dlg.themes.main.chip("aide_aux_demarches_administratives"))
    click(qtbot, dlg.themes.sub.chip("argent_impots"))
    type_into(qtbot, dlg.themes.demarche_name, "Déclaration de revenus")
    click(qtbot, dlg.materials.chip("ordinateur"))
    type_into(qtbot, dlg.workshop_title, "Impôts en ligne")
    click(qtbot, dlg.level.chip("intermediaire"))
    dlg.participants.setValue(6)
    click(qtbot, dlg.counters_section.toggle_button)
    dlg.counters.spins["statut"]["retraite"].setValue(4)
    type_into(qtbot, dlg.tags.edit, "Pass numérique")
    qtbot.keyClick(dlg.tags.edit, Qt.Key.Key_Return)
    type_into(qtbot, dlg.notes, "Prévoir une deuxième séance")


_CRASHING_MEDIATOR = """
import os, signal, sys
from pathlib import Path
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.models.communes import CommuneIndex
from app.services.drafts import NEW_SESSION_KEY
from app.services.notebook import open_notebook
from app.ui.session_form import SessionFormDialog
from tests.ui.test_session_form import fill_for_draft
notebook = open_notebook(Path(sys.argv[1]))
dlg = SessionFormDialog(notebook, CommuneIndex())
dlg.show()
fill_for_draft(QTest, dlg, sys.argv[2])
typed = dlg.current_input()
for _ in range(100):
    if notebook.drafts.load(NEW_SESSION_KEY) == typed:
        break
    QTest.qWait(50)
print(typed.to_json(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # the crash: no close, no clean-up
"""


def test_draft_recovery_after_a_crash(qtbot, notebook, communes, venues):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, "-c", _CRASHING_MEDIATOR, str(notebook.db_path), venues["lille"]],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    typed = SessionInput.from_json(run.stdout.strip().splitlines()[-1])
    assert typed.workshop_title == "Impôts en ligne"  # the form really was filled

    dlg = open_form(qtbot, notebook, communes)
    assert dlg.draft_banner.isVisible()
    assert dlg.current_input() != typed  # not applied before the mediator says so
    click(qtbot, dlg.resume_button)
    assert not dlg.draft_banner.isVisible()
    restored = dlg.current_input()
    for field in dataclasses.fields(SessionInput):
        assert getattr(restored, field.name) == getattr(typed, field.name), field.name
    click(qtbot, dlg.save_button)
    assert notebook.drafts.load(NEW_SESSION_KEY) is None
    got = only_session(notebook)
    assert (got.workshop_title, got.duration_min, got.themes) == (
        "Impôts en ligne",
        80,
        ["aide_aux_demarches_administratives", "argent_impots"],
    )


def test_esc_keeps_the_draft_and_ignore_discards_it(qtbot, notebook, communes, venues):
    dlg = open_form(qtbot, notebook, communes)
    type_into(qtbot, dlg.notes, "Pas fini")
    qtbot.keyClick(dlg.notes, Qt.Key.Key_Escape)
    assert not dlg.isVisible()
    assert notebook.drafts.load(NEW_SESSION_KEY).notes == "Pas fini"

    # Opening and closing without typing leaves the draft alone.
    dlg = open_form(qtbot, notebook, communes)
    assert dlg.draft_banner.isVisible()
    dlg.reject()
    assert notebook.drafts.load(NEW_SESSION_KEY).notes == "Pas fini"

    dlg = open_form(qtbot, notebook, communes)
    click(qtbot, dlg.ignore_button)
    assert notebook.drafts.load(NEW_SESSION_KEY) is None
    assert dlg.notes.toPlainText() == ""


def test_edit_draft_is_kept_per_session(qtbot, notebook, communes, venues):
    sid = notebook.sessions.record(SessionInput(venue_id=venues["roubaix"], themes=["email"]))
    dlg = open_form(qtbot, notebook, communes, session_id=sid)
    type_into(qtbot, dlg.notes, "correction en cours")
    dlg.close()
    assert notebook.drafts.load(key_for(sid)).notes == "correction en cours"
    assert notebook.drafts.load(NEW_SESSION_KEY) is None
    dlg = open_form(qtbot, notebook, communes, session_id=sid)
    assert dlg.draft_banner.isVisible()
    click(qtbot, dlg.resume_button)
    click(qtbot, dlg.save_button)
    assert notebook.sessions.get(sid).notes == "correction en cours"
    assert notebook.drafts.load(key_for(sid)) is None


# ---- storage -----------------------------------------------------------------------------------
def test_disk_full_on_save_keeps_the_form_and_the_draft(
    qtbot, notebook, communes, venues, full_disk
):
    dlg = open_form(qtbot, notebook, communes)
    click(qtbot, dlg.themes.main.chip("email"))
    type_into(qtbot, dlg.notes, "court")
    qtbot.waitUntil(lambda: notebook.drafts.load(NEW_SESSION_KEY) is not None, timeout=3000)
    with full_disk(notebook):
        dlg.notes.setPlainText("une note bien trop longue " * 8000)
        before = dlg.current_input()
        click(qtbot, dlg.save_button)
        assert dlg.isVisible()
        assert "disque est plein" in dlg.save_message.text() and dlg.save_message.isVisible()
        assert dlg.current_input() == before
    assert notebook.sessions.count() == 0
    assert notebook.drafts.load(NEW_SESSION_KEY).themes == ["email"]  # the last draft is intact
    dlg.notes.setPlainText("court")
    click(qtbot, dlg.save_button)
    assert not dlg.isVisible() and notebook.sessions.count() == 1


# ---- commune picker ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("villeneuve d ascq", ("59009", "Villeneuve-d'Ascq", "59491")),
        ("evry courcouronnes", ("91228", "Évry-Courcouronnes", "91000")),
        ("59650", ("59009", "Villeneuve-d'Ascq", "59650")),
        ("62100", ("62193", "Calais", "62100")),
    ],
)
def test_commune_picker_search(qtbot, communes, typed, expected):
    from app.ui.widgets.commune_picker import CommunePicker

    picker = CommunePicker(communes)
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)
    changes: list[bool] = []
    picker.sig_changed.connect(lambda: changes.append(True))
    type_into(qtbot, picker.edit, typed)
    assert picker.completer.popup().isVisible()
    assert picker.suggestions()[0].startswith(f"{expected[1]} ({expected[2]})")
    assert picker.value() == (None, None, None)  # nothing picked yet
    qtbot.keyClick(picker.completer.popup(), Qt.Key.Key_Down)
    qtbot.keyClick(picker.completer.popup(), Qt.Key.Key_Return)
    assert picker.value() == expected and changes
    assert picker.edit.text() == f"{expected[1]} ({expected[2]})"
    # Typing again drops the pick until a commune is chosen again.
    qtbot.keyClick(picker.edit, Qt.Key.Key_Backspace)
    assert picker.value() == (None, None, None)


def test_commune_picker_picks_an_exact_name_on_leaving(qtbot, communes):
    from app.ui.widgets.commune_picker import CommunePicker

    picker = CommunePicker(communes)
    qtbot.addWidget(picker)
    picker.show()
    type_into(qtbot, picker.edit, "tourcoing")
    picker.edit.editingFinished.emit()
    assert picker.value() == ("59599", "Tourcoing", "59200")


# ---- keyboard ----------------------------------------------------------------------------------
def test_keyboard_only_entry(qtbot, notebook, communes, venues):
    """A whole individual session without the mouse: Tab, arrows, Space, digits, Ctrl+S."""
    dlg = open_form(qtbot, notebook, communes)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dlg.themes.main.chips()[0])

    def key(k, mod=Qt.KeyboardModifier.NoModifier):
        qtbot.keyClick(QApplication.focusWidget(), k, mod)

    def focused():
        return QApplication.focusWidget()

    key(Qt.Key.Key_Backtab)  # back to the place: the selected venue chip holds the focus
    key(Qt.Key.Key_Backtab)
    assert focused() is dlg.place.types.chip("lieu_activite")
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_Right)
    assert focused() is dlg.place.types.chip("a_distance")
    key(Qt.Key.Key_Space)
    assert dlg.place.place_type() == "a_distance"
    key(Qt.Key.Key_Tab)  # venues are hidden now: straight to the themes
    assert focused() is dlg.themes.main.chips()[0]
    chips = dlg.themes.main.chips()
    key(Qt.Key.Key_2)  # the theme numbered 2
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_Return)  # the third theme, reached with the arrows
    assert dlg.themes.value() == [chips[1].code, chips[2].code]
    key(Qt.Key.Key_Tab)
    assert focused() in dlg.materials.chips()
    key(Qt.Key.Key_End)
    key(Qt.Key.Key_Space)
    assert dlg.materials.value() == ["aucun"]
    key(Qt.Key.Key_Tab)
    assert focused() is dlg.code.edit
    for ch in "abc":
        key(getattr(Qt.Key, f"Key_{ch.upper()}"))
    assert dlg.code.edit.text() == "ABC"
    key(Qt.Key.Key_Backspace)
    key(Qt.Key.Key_Backspace)
    key(Qt.Key.Key_Backspace)
    key(Qt.Key.Key_Tab)
    assert focused() is dlg.code.new_button
    key(Qt.Key.Key_Space)
    assert followup_codes.is_valid(dlg.code.value())
    dlg.autonomy.focus_first()
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_Space)
    assert dlg.autonomy.current() == "autonome"
    # Alt+N (the label's mnemonic) jumps to the notes.
    key(Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert focused() is dlg.notes
    qtbot.keyClicks(dlg.notes, "Clavier seul")
    key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    got = only_session(notebook)
    assert got.place_type == "a_distance" and got.materiels == ["aucun"]
    assert got.autonomy == "autonome" and got.notes == "Clavier seul" and len(got.themes) == 2


# ---- tags and anonymity ------------------------------------------------------------------------
def test_tags_complete_from_those_already_used(qtbot, notebook, communes, venues):
    notebook.sessions.record(
        SessionInput(
            venue_id=venues["lille"], themes=["email"], tags=["Pass numérique", "Atelier senior"]
        )
    )
    dlg = open_form(qtbot, notebook, communes)
    type_into(qtbot, dlg.tags.edit, "pass")
    popup = dlg.tags.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    assert dlg.tags.completer.currentCompletion() == "Pass numérique"
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dlg.tags.tags_shown() == ["Pass numérique"])
    assert dlg.tags.edit.text() == ""
    # A comma also adds the label; Backspace in the empty field takes the last one back.
    type_into(qtbot, dlg.tags.edit, "Quartier prioritaire,")
    assert dlg.tags.tags_shown() == ["Pass numérique", "Quartier prioritaire"]
    qtbot.keyClick(dlg.tags.edit, Qt.Key.Key_Backspace)
    assert dlg.tags.tags_shown() == ["Pass numérique"]
    type_into(qtbot, dlg.tags.edit, "typed")  # not confirmed with Enter: still saved
    click(qtbot, dlg.themes.main.chip("email"))
    click(qtbot, dlg.save_button)
    assert notebook.sessions.get(dlg.saved_id).tags == ["Pass numérique", "typed"]


def test_no_field_asks_for_an_identity(qtbot, notebook, communes, venues):
    """The only free-text fields: a commune search, the procedure's name, the code, the workshop
    title, a tag and the notes (which are checked). No name, phone or e-mail field anywhere."""
    from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QPlainTextEdit

    dlg = open_form(qtbot, notebook, communes)
    texts = [
        w for w in dlg.findChildren(QLineEdit) if not isinstance(w.parentWidget(), QAbstractSpinBox)
    ]
    assert sorted(w.objectName() or w.parentWidget().objectName() for w in texts) == sorted(
        ["commune", "demarche_name", "followup_code", "residence", "workshop_title", "tag_input"]
    )
    assert [w.objectName() for w in dlg.findChildren(QPlainTextEdit)] == ["notes"]


def test_a_draft_identical_to_the_form_is_not_offered(qtbot, notebook, communes, venues):
    notebook.drafts.save(NEW_SESSION_KEY, notebook.sessions.defaults())
    dlg = open_form(qtbot, notebook, communes)
    assert not dlg.draft_banner.isVisible()
    assert notebook.drafts.load(NEW_SESSION_KEY) is None


def test_numbered_themes_tell_their_shortcut(qtbot, notebook, communes, venues):
    dlg = open_form(qtbot, notebook, communes)
    chips = dlg.themes.main.chips()
    assert [c.number for c in chips[:10]] == [1, 2, 3, 4, 5, 6, 7, 8, 9, None]
    assert chips[0].toolTip() == "Shortcut: Alt+1" and chips[9].toolTip() == ""


def test_modules_ticked_in_the_form_are_recorded_with_the_session(
    qtbot, notebook, communes, venues
):
    from app.services.training import TrainingService

    notebook.training.install_samples()
    path = next(p for p in notebook.training.list_paths() if p.audience == "beneficiaires")
    code = notebook.beneficiaries.new_code()
    person = TrainingService.person(code)
    notebook.training.enrol(person, path.id)

    dlg = open_form(qtbot, notebook, communes)
    type_into(qtbot, dlg.code.edit, code)
    module = path.modules[0]
    dlg.progress_panel.tick(module.id, "done")
    dlg.themes.toggle_number(1)
    assert dlg.save()

    saved = dlg.saved_id
    linked = notebook.training.session_events(saved)
    assert [(h.event.module_id, h.event.kind) for h in linked] == [(module.id, "done")]
    assert all(h.event.session_id == saved for h in linked)
