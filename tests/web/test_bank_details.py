"""A member's bank details (IBAN) in the back office: recorded through a form by the
secretariat, checked (a refusal says what is wrong and never quotes the number), audited by
field name only, shown whole to the secretariat and masked to read-only accounts, and
purged with the rest of the member's personal data."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kleroterion.models import AuditEntry, Member, PersonalData
from kleroterion.services import privacy
from sqlalchemy import select

from .conftest import in_database
from .test_access import csrf_token, log_in
from .test_members_pages import seated  # noqa: F401  (fixture)

IBAN = "FR7630006000011234567890189"
SHOWN = "FR76 3000 6000 0112 3456 7890 189"


def _post(client: FlaskClient, member: int, typed: str, lang: str = "en") -> tuple[int, str]:
    page = f"/admin/members/{member}"
    response = client.post(f"{page}/bank-details?lang={lang}", data={
        "csrf_token": csrf_token(client, page), "bank-iban": typed})
    return response.status_code, response.get_data(as_text=True)


def _iban(app: Flask, member: int) -> str | None:
    def read(session: Any) -> str | None:
        personal: PersonalData | None = session.get(Member, member).respondent.personal
        return personal.iban if personal else None
    return in_database(app, read)


def test_the_secretariat_records_an_iban_seen_whole_by_it_and_masked_to_others(
    client: FlaskClient, app: Flask, seated: list[int],  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    member = seated[0]
    log_in(client, "secretariat")
    with caplog.at_level(logging.DEBUG):
        status, _ = _post(client, member, "fr76 3000 6000 0112 3456 7890 189")
    assert status == 302 and _iban(app, member) == IBAN
    assert IBAN not in caplog.text and "3456 7890" not in caplog.text
    entries = in_database(app, lambda s: [(e.action, json.loads(e.data) if isinstance(
        e.data, str) else e.data) for e in s.scalars(
        select(AuditEntry).where(AuditEntry.action == "personal_data.update"))])
    assert entries and entries[-1][1]["fields"] == ["iban"]
    assert all(IBAN not in json.dumps(data, default=str) for _, data in entries)
    page = client.get(f"/admin/members/{member}?lang=fr").get_data(as_text=True)
    assert SHOWN in page and "Coordonnées bancaires" in page
    log_in(client, "read-only")
    page = client.get(f"/admin/members/{member}?lang=en").get_data(as_text=True)
    assert "FR76 … 0189" in page and SHOWN not in page and "3000 6000" not in page
    assert 'name="bank-iban"' not in page  # no form
    refused = client.post(f"/admin/members/{member}/bank-details", data={
        "csrf_token": csrf_token(client, f"/admin/members/{member}"), "bank-iban": IBAN})
    assert refused.status_code == 403


@pytest.mark.parametrize(("typed", "said"), [
    ("FR76 3000 6000 0112 3456 7890 180", "les chiffres de contrôle ne correspondent pas"),
    ("FR76 3000 6000 0112", "16 caractères, alors qu'un IBAN de FR en compte 27"),
    ("QQ76 3000 6000 0112 3456 7890 189", "QQ n'est pas le code pays d'un IBAN"),
    ("pas un numéro", "ce n'est pas un IBAN"),
])
def test_a_bad_iban_is_refused_naming_the_problem_never_the_number(
    client: FlaskClient, app: Flask, seated: list[int], typed: str, said: str,  # noqa: F811
) -> None:
    member = seated[0]
    log_in(client, "secretariat")
    status, page = _post(client, member, typed, "fr")
    assert status == 422
    error = page.split('id="bank-iban-error">', 1)[1].split("</p>", 1)[0]
    assert "IBAN" in error and said in error.replace("&#39;", "'")
    assert typed.split()[-1] not in error and "3000" not in error
    assert _iban(app, member) is None  # nothing changed


def test_the_iban_is_purged_with_the_member_s_personal_data(
    client: FlaskClient, app: Flask, seated: list[int],  # noqa: F811
) -> None:
    member = seated[0]
    log_in(client, "secretariat")
    assert _post(client, member, IBAN)[0] == 302
    mandate = in_database(app, lambda s: s.get(Member, member).mandate_id)
    in_database(app, lambda s: privacy.purge_members(s, mandate))
    assert _iban(app, member) is None
    page = client.get(f"/admin/members/{member}?lang=en").get_data(as_text=True)
    assert "personal data were purged" in page and 'name="bank-iban"' not in page
    status, page = _post(client, member, IBAN)
    assert status == 422 and "were purged" in page and _iban(app, member) is None
