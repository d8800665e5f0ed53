"""The city model is declared once: every derived form follows it, and drift fails here.

The validation schemas, the API's response schemas, the OpenAPI components and
docs/configuration.md are derived from ``kleroterion.city.types``; these tests walk
every declared field and look for it in each form, so a form written by hand again
(or a field hidden from one of them) is caught.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from kleroterion import plugins
from kleroterion.city import types as t
from kleroterion.city.reference import configuration_markdown
from kleroterion.city.schemas import schema_for, validate_config
from kleroterion.web import schemas as api_schemas
from kleroterion.web.openapi import add_component, component_name

ROOT = Path(__file__).resolve().parents[2]
CLASSES = t.declared_classes()


def test_the_declaration_reaches_every_class_of_the_model() -> None:
    names = {cls.__name__ for cls in CLASSES}
    assert {"CityProfile", "ProposalState", "FollowUpCommittee", "Source", "Extra"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_field_is_documented(cls: type) -> None:
    for item in dataclasses.fields(cls):
        assert item.metadata.get("doc"), f"{cls.__name__}.{item.name} is declared without fact()"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_validation_knows_every_field(cls: type) -> None:
    declared = set(schema_for(cls)().fields)
    assert declared == {item.name for item in dataclasses.fields(cls)}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_the_api_and_its_openapi_components_carry_every_field(cls: type) -> None:
    schema = api_schemas.dump_schema(cls)
    dumped = set(schema().fields)
    missing = {item.name for item in dataclasses.fields(cls)} - dumped
    assert not missing, f"{cls.__name__}: {missing} never reach the API"
    components: dict[str, dict[str, object]] = {}
    name = add_component(schema, components)
    properties = components[name]["properties"]
    assert isinstance(properties, dict)
    assert not {item.name for item in dataclasses.fields(cls)} - set(properties)
    described = [item.name for item in dataclasses.fields(cls)
                 if not properties[item.name].get("description")]  # type: ignore[union-attr]
    assert described == [] or all("oneOf" in properties[n] for n in described)


def test_sent_reaches_the_public_api() -> None:
    """The drift that motivated the one declaration: ProposalState.sent was never dumped."""
    state = t.ProposalState("depose", {"fr": "Déposé"}, sent=True)
    assert api_schemas.dump_schema(t.ProposalState)().dump(state)["sent"] is True
    paris = plugins.load_city("paris").config
    dumped = api_schemas.ProposalKindSchema().dump(paris.proposal_kind("voeu"))
    assert [state["key"] for state in dumped["states"] if state["sent"]] == ["depose"]
    assert component_name(api_schemas.MandateSchema) == "Mandate"


def test_every_field_is_in_the_configuration_reference() -> None:
    text = configuration_markdown()
    for cls in CLASSES:
        section = text.split(f"\n## {cls.__name__}\n", 1)[1].split("\n## ", 1)[0]
        for item in dataclasses.fields(cls):
            assert f"| `{item.name}` |" in section, f"{cls.__name__}.{item.name} undocumented"
    # The installation's settings follow (kleroterion.docs); test_hooks checks the whole file.
    assert (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8").startswith(
        text.rstrip("\n") + "\n\n## Installation settings\n")


def test_a_declared_bound_is_enforced() -> None:
    policy = t.IndemnityPolicy(rate=Decimal("-1"), currency="EUR", unit="day")
    assert validate_config("indemnity_policy", policy) == [
        ("rate", "Must be greater than or equal to 0.")
    ]
    mandate = t.MandateRules(term_name={"fr": "cycle"}, min_months=2, max_months=3, start_month=13)
    assert validate_config("mandate_rules", mandate) == [
        ("start_month", "Must be greater than or equal to 1 and less than or equal to 12.")
    ]


def test_loading_through_the_derived_schema_returns_the_dataclass() -> None:
    paris = plugins.load_city("paris").config
    loaded = schema_for(t.PanelComposition)().load(dataclasses.asdict(paris.composition))
    assert loaded == paris.composition
