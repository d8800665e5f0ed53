"""The respondents import people can get right: the columns said, a template per seat group,
French headers and values mapped to the city's features, a first name joined to the name,
every unknown column reported, and the refused lines in a table that wraps."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from kleroterion.db import make_engine, make_sessionmaker, session_scope
from kleroterion.models import PersonalData, Respondent
from kleroterion.web.database import database_url
from sqlalchemy import select

from .test_access import csrf_token, log_in
from .test_backoffice import _respondent_count, act  # noqa: F401  (the fixture)

FRENCH = ("identifiant;Sexe;Âge;arrondissement;Diplôme;prénom;nom;courriel\n"
          "R-1;Femme;30-44 ans;11e;{diploma};Marie;Synthétique;une@example.org\n")


def _upload(client: FlaskClient, text: str) -> tuple[int, str]:
    token = csrf_token(client, "/admin/respondents")
    response = client.post("/admin/respondents?lang=fr", data={
        "csrf_token": token, "seat_group": "liste-electorale",
        "upload": (io.BytesIO(text.encode("utf-8")), "repondants.csv"),
    }, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def _diploma(client: FlaskClient) -> str:
    page = client.get("/admin/respondents?lang=fr").get_data(as_text=True)
    assert "Colonnes pour" in page and "Télécharger le modèle pour" in page
    return "bac"


def test_french_headers_and_labels_are_mapped_and_the_first_name_kept(
    client: FlaskClient, app: Flask, act: int  # noqa: F811
) -> None:
    log_in(client, "secretariat")
    status, page = _upload(client, FRENCH.format(diploma=_diploma(client)))
    assert status == 302, page
    engine = make_engine(database_url(app))
    with session_scope(make_sessionmaker(engine)) as session:
        respondent = session.scalars(select(Respondent)).one()
        assert respondent.features["gender"] == "femme"
        assert respondent.features["age"] == "30-44"
        personal = session.get(PersonalData, respondent.id)
        assert personal is not None and personal.name == "Marie Synthétique"
    engine.dispose()


def test_an_unknown_column_is_reported_never_dropped(
    client: FlaskClient, app: Flask, act: int  # noqa: F811
) -> None:
    log_in(client, "secretariat")
    text = FRENCH.replace("courriel\n", "courriel;commentaire\n", 1).replace(
        "example.org\n", "example.org;à rappeler\n")
    status, page = _upload(client, text.format(diploma="bac"))
    assert status == 422
    assert "la colonne &#39;commentaire&#39; n’est pas lue par cet import" in page
    assert 'class="data refused"' in page and "backoffice-sheets.css" in page
    assert _respondent_count(app) == 0


def test_the_template_is_the_header_in_the_visitor_s_language(
    client: FlaskClient, act: int  # noqa: F811
) -> None:
    log_in(client, "secretariat")
    french = client.get("/admin/respondents/template.csv?seat_group=liste-electorale&lang=fr")
    assert french.status_code == 200
    header = french.get_data(as_text=True)
    assert header.startswith("\ufeffidentifiant;genre;âge;arrondissement;")
    assert "prénom;nom;adresse" in header and "iban" in header
    english = client.get("/admin/respondents/template.csv?seat_group=liste-electorale&lang=en")
    assert english.get_data(as_text=True).startswith("\ufeffid,gender,age,arrondissement,")
    assert client.get("/admin/respondents/template.csv?seat_group=nope").status_code == 404


def test_the_filled_template_imports(client: FlaskClient, app: Flask,
                                     act: int) -> None:  # noqa: F811
    log_in(client, "secretariat")
    header = client.get("/admin/respondents/template.csv?seat_group=liste-electorale&lang=fr"
                        ).get_data(as_text=True).lstrip("\ufeff").strip()
    columns = header.split(";")
    values = {"identifiant": "R-9", "genre": "homme", "âge": "18-29", "arrondissement": "2e",
              "diplôme": "bac", "nom": "Synthétique"}
    row = ";".join(values.get(column, "") for column in columns)
    status, page = _upload(client, header + "\n" + row + "\n")
    assert status == 302, page
    assert _respondent_count(app) == 1
