"""Answers to the letters: a code answers once, refusals say nothing more and store nothing.

Letters are generated for a small Paris invitation draw and their codes read back from
the PDF; answers then go through the service as the online page, the phone and the
doorstep send them.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kleroterion.letters.template import load
from kleroterion.models import Invitation, PersonalData, Respondent
from kleroterion.services import answers, letters, mandates
from kleroterion.services.errors import InvalidInput, NotAllowed
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.lifecycle.test_letters import TODAY, UNTIL, URL, _draw

D = dt.date
CODE = re.compile(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b")
FEATURES = {"gender": "femme", "age": "30-44", "arrondissement": "11e", "diploma": "bac"}
ADULT = answers.Contact("Prénom Fictive", "3 rue de l'Essai, 75011 Paris", D(1985, 5, 1),
                        email="fictive@example.org")


@pytest.fixture
def codes(run: Any, tmp_path: Path) -> list[str]:
    draw_id, mailmerge = _draw(run, tmp_path, "paris", "liste-electorale", "arrondissement",
                               ["1er", "2e", "10e"], count=6)
    run(letters.generate, draw_id, mailmerge, tmp_path / "out", load(),
        answers_until=UNTIL, url=URL, today=TODAY)
    pages = PdfReader(str(tmp_path / "out" / "letters.pdf")).pages
    return [CODE.findall(page.extract_text())[0] for page in pages]


def _count(run: Any, model: Any) -> int:
    result: int = run(lambda s: s.scalar(select(func.count()).select_from(model)))
    return result


def test_an_answer_with_a_letter_s_code_joins_the_pool(run: Any, codes: list[str]) -> None:
    typed = codes[0].lower().replace("-", " ")
    respondent = run(answers.answer, on=D(2026, 3, 10), features=FEATURES, contact=ADULT,
                     consent=True, code=typed)

    def read(session: Session) -> tuple[Any, ...]:
        row = session.get(Respondent, respondent.id)
        assert row is not None and row.personal is not None
        letter = session.scalar(select(Invitation).where(Invitation.respondent_id == row.id))
        assert letter is not None
        return (row.status, row.seat_group, row.features, row.personal.name,
                row.household is not None, letter.answered_at is not None, row.external_id)

    status, group, features, name, household, answered, external = run(read)
    assert (status, group, features, name) == ("pool", "liste-electorale", FEATURES,
                                               "Prénom Fictive")
    assert household and answered and external.startswith("letter-")


def test_a_replayed_and_an_unknown_code_get_the_same_refusal(run: Any,
                                                            codes: list[str]) -> None:
    run(answers.answer, on=D(2026, 3, 10), features=FEATURES, contact=ADULT, consent=True,
        code=codes[0])
    before = (_count(run, Respondent), _count(run, PersonalData))
    messages = []
    for code in (codes[0], "ZZZZZ-ZZZZZ", "not a code", ""):
        with pytest.raises(InvalidInput) as refused:
            run(answers.answer, on=D(2026, 3, 10), features=FEATURES, contact=ADULT,
                consent=True, code=code)
        messages.append(str(refused.value))
    assert len(set(messages)) == 1 and "not valid or has already been used" in messages[0]
    assert (_count(run, Respondent), _count(run, PersonalData)) == before


def test_an_answer_after_the_last_day_is_refused_politely(run: Any, codes: list[str]) -> None:
    with pytest.raises(NotAllowed, match="answers closed on 2026-04-15; thank you"):
        run(answers.answer, on=UNTIL + dt.timedelta(days=1), features=FEATURES,
            contact=ADULT, consent=True, code=codes[1])
    assert _count(run, Respondent) == 0
    # the last day itself is still open
    run(answers.answer, on=UNTIL, features=FEATURES, contact=ADULT, consent=True,
        code=codes[1])


@pytest.mark.parametrize(("change", "field"), [
    ({"consent": False}, "consent"),
    ({"features": {**FEATURES, "gender": "autre"}}, "feature-gender"),
    ({"features": {k: v for k, v in FEATURES.items() if k != "diploma"}}, "feature-diploma"),
    ({"contact": answers.Contact("", ADULT.address, ADULT.birth_date, email="a@b.fr")},
     "name"),
    ({"contact": answers.Contact("X", ADULT.address, ADULT.birth_date)}, "email"),
    ({"contact": answers.Contact("X", ADULT.address, D(2015, 1, 1), email="a@b.fr")},
     "birth_date"),
    ({"contact": answers.Contact("X" * 201, ADULT.address, ADULT.birth_date,
                                 email="a@b.fr")}, "name"),
    ({"contact": answers.Contact("X\x00", ADULT.address, ADULT.birth_date, email="a@b.fr")},
     "name"),
])
def test_a_refused_answer_names_its_field_and_stores_nothing(
        run: Any, codes: list[str], change: dict[str, Any], field: str) -> None:
    given_ = {"on": D(2026, 3, 10), "features": FEATURES, "contact": ADULT, "consent": True,
              "code": codes[2], **change}
    with pytest.raises(InvalidInput) as refused:
        run(answers.answer, **given_)
    assert refused.value.field == field
    assert _count(run, Respondent) == 0
    # the code was not spent by the refusal
    run(answers.answer, on=D(2026, 3, 10), features=FEATURES, contact=ADULT, consent=True,
        code=codes[2])


def test_a_minor_answers_with_a_guardian_s_agreement(run: Any, tmp_path: Path) -> None:
    mandate = run(mandates.open_mandate, "paris", "promotion 2026", D(2026, 4, 1))
    minor = answers.Contact("Jeune Fictif", "5 rue de l'Essai", D(2009, 9, 1),
                            phone="+33 6 00 00 00 00")
    young = {"gender": "homme"}
    with pytest.raises(InvalidInput, match="parent or guardian") as refused:
        run(answers.answer, on=D(2026, 3, 10), features=young, contact=minor, consent=True,
            channel="phone", mandate_id=mandate.id, group_key="jeunes")
    assert refused.value.field == "guardian"
    found = run(answers.answer, on=D(2026, 3, 10), features=young, contact=minor,
                consent=True, guardian=True, channel="phone", mandate_id=mandate.id,
                group_key="jeunes")
    assert found.external_id.startswith("phone-")


def test_an_online_answer_needs_a_code(run: Any) -> None:
    mandate = run(mandates.open_mandate, "poitiers", "édition 2026", D(2026, 4, 1))
    with pytest.raises(InvalidInput, match="not valid"):
        run(answers.answer, on=D(2026, 3, 10), features={}, contact=ADULT, consent=True,
            channel="web", mandate_id=mandate.id, group_key="x")


def test_two_answers_with_one_code_at_once_make_one_respondent(
        factory: sessionmaker[Session], codes: list[str], run: Any) -> None:
    from kleroterion.db import session_scope

    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            with session_scope(factory, actor="test") as session:
                answers.answer(session, on=D(2026, 3, 10), features=FEATURES, contact=ADULT,
                               consent=True, code=codes[3])
            outcomes.append("ok")
        except Exception as error:  # every loser must be refused, whatever the way
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 1, outcomes
    assert _count(run, Respondent) == 1


def test_answer_rates_put_the_strata_that_answer_least_first(run: Any,
                                                             codes: list[str]) -> None:
    def strata(session: Session) -> dict[str, str | None]:
        return {i.code_digest: i.stratum for i in session.scalars(select(Invitation))}

    by_digest = run(strata)
    for code in codes[:2]:
        run(answers.answer, on=D(2026, 3, 10), features=FEATURES, contact=ADULT,
            consent=True, code=code)
    draw_id = run(lambda s: s.scalar(select(Invitation.invitation_draw_id)))
    rates = run(answers.answer_rates, draw_id)
    assert sum(r.letters for r in rates) == 6 and sum(r.answers for r in rates) == 2
    answered = {by_digest[letters.digest(code)] for code in codes[:2]}
    assert {r.stratum for r in rates if r.answers} == answered
    values = [r.rate for r in rates]
    assert values == sorted(values)  # type: ignore[type-var]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=14))
def test_no_string_is_taken_for_a_code_unless_well_formed(text: str) -> None:
    cleaned = letters.normalize(text)
    assert letters.well_formed(text) == (len(cleaned) == 10 and all(
        ch in letters.ALPHABET for ch in cleaned))
