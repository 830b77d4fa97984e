"""Fixtures of the training views: a notebook with the sample catalogue and a followed person."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services.progress import Subject
from app.services.sessions import SessionInput
from app.services.training import seed_snapshot

CODE = "KRT-4MU"
OTHER = "ACD-EFC"
SANTE = "seed-mon-espace-sante"
SMARTPHONE = "seed-debuter-smartphone"
FACILITATEUR = "seed-devenir-facilitateur"


def module(path_id: str, n: int) -> str:
    return f"{path_id}-{n:02d}"


@pytest.fixture
def training(notebook):
    notebook.training.apply_catalogue(seed_snapshot(), etag='"1"')
    return notebook.training


@pytest.fixture
def person_session(notebook, venues, training) -> str:
    return notebook.sessions.record(
        SessionInput(
            date=dt.date(2025, 3, 3),
            venue_id=venues["lille"],
            themes=["sante"],
            followup_code=CODE,
        )
    )


@pytest.fixture
def person(training, person_session) -> Subject:
    subject = Subject.person(CODE)
    training.enrol(subject, SANTE, occurred_on=dt.date(2025, 3, 3), level_before={"4.2": 1})
    training.record(
        subject,
        SANTE,
        module(SANTE, 1),
        "done",
        occurred_on=dt.date(2025, 3, 3),
        session_id=person_session,
        level_after={"4.2": 2, "1.1": 1},
    )
    training.record(subject, SANTE, module(SANTE, 2), "started", occurred_on=dt.date(2025, 3, 10))
    return subject


@pytest.fixture
def workshop(notebook, venues, training) -> str:
    return notebook.sessions.record(
        SessionInput(
            kind="collectif",
            date=dt.date(2025, 4, 1),
            venue_id=venues["lille"],
            themes=["prendre_en_main_du_materiel"],
            workshop_title="Smartphone débutants",
            participants=9,
        )
    )
