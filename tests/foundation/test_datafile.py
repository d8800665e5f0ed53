"""A city's data file: read once, and a badly written one names the file, line and field."""

from __future__ import annotations

from pathlib import Path

import kleroterion_paris
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kleroterion import plugins
from kleroterion.city.datafile import CityFile, CityFileError, key_lines, read_city_file

PARIS = Path(kleroterion_paris.__file__).with_name("city.toml")


def city_from(tmp_path: Path, text: str) -> plugins.City:
    path = tmp_path / "city.toml"
    path.write_text(text, encoding="utf-8")
    city = CityFile(path)
    return plugins.load_city("paris", plugins=[plugins.Plugin(name="edited", obj=city)])


def edited(replace: str, by: str) -> str:
    text = PARIS.read_text(encoding="utf-8")
    assert replace in text
    return text.replace(replace, by, 1)


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def load_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(plugins.PluginError) as error:
        city_from(tmp_path, text)
    return str(error.value)


def test_a_secretariat_corrects_a_rate_without_python(tmp_path: Path) -> None:
    city = city_from(tmp_path, edited('rate = "44"', 'rate = "45.50"'))
    assert str(city.config.indemnity.rate) == "45.50"
    assert city.config.profile.slug == "paris"


def test_a_bad_rate_names_the_file_the_line_and_the_field(tmp_path: Path) -> None:
    text = edited('rate = "44"', 'rate = "quarante"')
    message = load_error(tmp_path, text)
    line = line_of(text, 'rate = "quarante"')
    assert f"city.toml, line {line}: field 'indemnity.rate': Not a valid number." in message
    assert "'quarante'" in message


def test_a_misspelt_field_in_an_array_of_tables(tmp_path: Path) -> None:
    text = edited('key = "comite-garants"', 'key = "comite-garants"\npurpse = "x"')
    message = load_error(tmp_path, text)
    assert f"line {line_of(text, 'purpse')}: field 'bodies.2.purpse': Unknown field." in message


def test_a_state_in_an_inline_array_is_found_on_its_line(tmp_path: Path) -> None:
    text = edited('{ key = "posee", label', '{ key = "posee", finale = true, label')
    message = load_error(tmp_path, text)
    assert f"line {line_of(text, 'finale = true')}: " in message
    assert "field 'proposal_kinds.0.states.2.finale': Unknown field." in message


def test_a_missing_language_is_named_with_its_line(tmp_path: Path) -> None:
    text = edited(
        'purpose = { fr = "garants extérieurs du processus, que tout membre peut saisir", '
        'en = "external guarantors of the process, to whom any member may refer a matter" }',
        'purpose = { fr = "garants extérieurs du processus" }',
    )
    message = load_error(tmp_path, text)
    assert f"line {line_of(text, 'garants extérieurs du processus')}: " in message
    assert "field 'bodies.2.purpose': has no text in 'en'" in message


def test_an_unknown_source_key_is_refused(tmp_path: Path) -> None:
    text = edited('rate = { source = "paris-fr"', 'rate = { source = "paris-gouv"')
    message = load_error(tmp_path, text)
    assert "field 'indemnity.evidence.rate.source': unknown source 'paris-gouv'" in message


def test_a_fact_without_a_source_is_refused(tmp_path: Path) -> None:
    text = edited(
        'staff = { source = "icpc-questions", confidence = "approximate" }\n', "")
    message = load_error(tmp_path, text)
    assert f"line {line_of(text, 'staff.fr')}: field 'institution.staff': " in message
    assert "a fact without a source" in message


def test_broken_toml_names_its_line(tmp_path: Path) -> None:
    message = load_error(tmp_path, edited('rate = "44"', 'rate = "44'))
    assert "city.toml: not valid TOML" in message and "line" in message


def test_the_file_is_read_once_per_process() -> None:
    assert read_city_file(PARIS) is read_city_file(PARIS)


@given(st.lists(st.sampled_from(["[a]", "[[b]]", "[[b.c]]", "x = 1", "y.z = 2"]), max_size=12))
def test_every_key_of_a_file_is_placed(lines: list[str]) -> None:
    text = "\n".join(lines)
    placed = key_lines(text)
    assert all(1 <= number <= len(lines) for number in placed.values())
    for number, line in enumerate(lines, 1):
        if line.startswith("[[b]]"):
            assert any(path.startswith("b.") and n == number for path, n in placed.items())


def test_a_file_error_is_a_value_error() -> None:
    assert issubclass(CityFileError, ValueError)
