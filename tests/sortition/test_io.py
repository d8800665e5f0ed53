"""Reading quotas and respondents: formats the field uses, and one clear error per bad input."""

from __future__ import annotations

import string
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from kleroterion.sortition.io import (
    InputError,
    Table,
    detect_encoding,
    header_key,
    make_problem,
    read_quotas,
    read_respondents,
    read_table,
    scan_table,
    sniff_delimiter,
)
from kleroterion.sortition.types import Quota

QUOTAS = """feature,value,min,max
Genre,Femme,1,2
Genre,Homme,1,2
Âge,18-29,0,2
Âge,30+,1,3
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def quotas(tmp_path: Path) -> Path:
    return write(tmp_path / "quotas.csv", QUOTAS)


# ----------------------------------------------------------------------------- quotas


@pytest.mark.parametrize(
    "header",
    [
        "feature,value,min,max",
        "category,name,min,max",
        "category,feature,min,max",
        "Feature,Value,MIN,Max",
        "category,category value,min,max",
        "category,category_value,min,max",
        "category,category-value,min,max",
        "Category,Category Value,Min,Max",
    ],
)
def test_quota_header_spellings(tmp_path: Path, header: str) -> None:
    path = write(tmp_path / "q.csv", header + "\nGenre,Femme,1,2\nGenre,Homme,0,2\n")
    table = read_quotas(path)
    assert table.quotas == (Quota("Genre", "Femme", 1, 2), Quota("Genre", "Homme", 0, 2))


def test_quota_flex_columns_spelt_with_spaces_or_hyphens(tmp_path: Path) -> None:
    path = write(tmp_path / "q.csv", "Feature,Value,Min,Max,Min Flex,max-flex\nGenre,F,1,2,0,3\n")
    assert read_quotas(path).quotas == (Quota("Genre", "F", 1, 2, 0, 3),)


def test_quota_flex_and_group_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "q.csv",
        "feature,value,min,max,min_flex,max_flex,group\n"
        "Genre,Femme,1,2,0,3,roll\nGenre,Homme,1,2,,,roll\nÂge,16-17,5,5,,,young\n",
    )
    table = read_quotas(path)
    assert table.quotas[0] == Quota("Genre", "Femme", 1, 2, 0, 3)
    assert table.quotas[1].min_flex is None and table.quotas[1].max_flex is None
    assert table.groups == ("roll", "roll", "young")
    assert list(table.by_group()) == ["roll", "young"]


@pytest.mark.parametrize(
    ("text", "line", "column", "value", "phrase"),
    [
        ("feature,value,min,max\nGenre,Femme,1,deux\n", 2, "max", "deux", "whole number"),
        ("feature,value,min,max\nGenre,Femme,1.5,2\n", 2, "min", "1.5", "whole number"),
        ("feature,value,min,max\nGenre,Femme,-1,2\n", 2, "min", "-1", "whole number"),
        ("feature,value,min,max\nGenre,Femme,3,2\n", 2, "min", "3", "above the maximum"),
        (
            "feature,value,min,max\nGenre,Femme,1,2\nGenre,Femme,0,1\n",
            3,
            "value",
            "Femme",
            "already",
        ),
        ("feature,value,min,max\nGenre,,1,2\n", 2, "value", "", "blank"),
        ("feature,value,min,max,min_flex\nGenre,F,1,2,x\n", 2, "min_flex", "x", "whole number"),
        ("feature,value,min,max,min_flex\nGenre,F,1,2,2\n", 2, "min_flex", "2", "stricter"),
        ("feature,value,min,max,max_flex\nGenre,F,1,2,1\n", 2, "max_flex", "1", "stricter"),
    ],
)
def test_quota_errors_are_located(
    tmp_path: Path, text: str, line: int, column: str, value: str, phrase: str
) -> None:
    path = write(tmp_path / "q.csv", text)
    with pytest.raises(InputError) as caught:
        read_quotas(path)
    error = caught.value
    assert (error.path, error.line, error.column, error.value) == (str(path), line, column, value)
    message = str(error)
    assert str(path) in message and f"line {line}" in message and repr(value) in message
    assert phrase in message and "accepted" in message


def test_quota_missing_column_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no max column.*accepted: feature,value,min,max"):
        read_quotas(write(tmp_path / "q.csv", "feature,value,min\nGenre,F,1\n"))
    with pytest.raises(InputError, match="empty"):
        read_quotas(write(tmp_path / "e.csv", "\ufeff \n"))
    with pytest.raises(InputError, match="no quota rows"):
        read_quotas(write(tmp_path / "h.csv", "feature,value,min,max\n"))
    with pytest.raises(InputError, match="cannot be read"):
        read_quotas(tmp_path / "absent.csv")


# ----------------------------------------------------------------------------- respondents


def test_respondents_keep_only_ids_and_features(tmp_path: Path, quotas: Path) -> None:
    path = write(
        tmp_path / "r.csv",
        "id,nom,email,genre,âge\nA7,Dupont,a@b.fr, femme ,18-29\nB2,Durand,c@d.fr,Homme,30+\n",
    )
    pool = read_respondents(path, read_quotas(quotas))
    assert pool.ids == ("A7", "B2")
    assert pool.features == ("Genre", "Âge")
    # Case and spaces are forgiven; the quotas' spelling is what the engine sees.
    assert pool.values == (("Femme", "18-29"), ("Homme", "30+"))
    assert pool.households is None
    assert "Dupont" not in repr(pool) and "a@b.fr" not in repr(pool)


def test_ids_are_row_numbers_without_id_column(tmp_path: Path, quotas: Path) -> None:
    path = write(tmp_path / "r.csv", "Genre,Âge\nFemme,18-29\n\nHomme,30+\nHomme,18-29\n")
    pool = read_respondents(path, read_quotas(quotas))
    assert pool.ids == ("1", "2", "3")


def test_custom_id_column_must_exist(tmp_path: Path, quotas: Path) -> None:
    path = write(tmp_path / "r.csv", "numero,Genre,Âge\n9,Femme,18-29\n")
    assert read_respondents(path, read_quotas(quotas), id_column="numero").ids == ("9",)
    with pytest.raises(InputError, match="no id column 'ref'") as caught:
        read_respondents(path, read_quotas(quotas), id_column="ref")
    assert caught.value.line == 1


def test_households_are_normalised_and_opaque(tmp_path: Path, quotas: Path) -> None:
    path = write(
        tmp_path / "r.csv",
        "id;Genre;Âge;adresse;cp\n"
        "1;Femme;18-29;12 rue X;75011\n"
        "2;Homme;30+;  12  RUE x ;75011\n"
        "3;Femme;30+;12 rue X;75012\n"
        "4;Homme;30+;;\n"
        "5;Femme;30+;3 bd Y;75001\n"
        "6;Homme;30+;3 Bd  y;75001\n",
    )
    pool = read_respondents(path, read_quotas(quotas), household=("adresse", "cp"))
    # 1 and 2 share a home, 3 lives elsewhere (other postcode), 4 has no address.
    assert pool.households == ("1", "1", None, None, "2", "2")
    assert "rue" not in repr(pool).casefold()


@pytest.mark.parametrize(
    ("text", "kwargs", "line", "column", "value", "phrase"),
    [
        ("id,Genre,Âge\n1,Femme,18-29\n2,Autre,30+\n", {}, 3, "Genre", "Autre", "Femme, Homme"),
        ("id,Genre,Âge\n1,Femme,18-29\n2,Homme,\n", {}, 3, "Âge", "", "18-29, 30+"),
        ("id,Genre,Âge\n1,Femme,18-29\n1,Homme,30+\n", {}, 3, "id", "1", "already on line 2"),
        ("id,Genre,Âge\n1,Femme,18-29\n,Homme,30+\n", {}, 3, "id", "", "blank"),
        ("id,Genre,Âge\n1,Femme\n", {}, 2, "Âge", None, "2 fields"),
    ],
)
def test_respondent_errors_are_located(
    tmp_path: Path,
    quotas: Path,
    text: str,
    kwargs: dict[str, object],
    line: int,
    column: str,
    value: str | None,
    phrase: str,
) -> None:
    path = write(tmp_path / "r.csv", text)
    with pytest.raises(InputError) as caught:
        read_respondents(path, read_quotas(quotas))
    error = caught.value
    assert (error.path, error.line, error.column, error.value) == (str(path), line, column, value)
    assert str(path) in str(error) and f"line {line}" in str(error) and phrase in str(error)


def test_missing_feature_and_household_columns(tmp_path: Path, quotas: Path) -> None:
    path = write(tmp_path / "r.csv", "id,Genre,nom\n1,Femme,Zoé\n")
    with pytest.raises(InputError, match=r"no feature .*column 'Âge'") as caught:
        read_respondents(path, read_quotas(quotas))
    assert caught.value.line == 1
    path = write(tmp_path / "r2.csv", "id,Genre,Âge\n1,Femme,18-29\n")
    with pytest.raises(InputError, match="no household column 'adresse'"):
        read_respondents(path, read_quotas(quotas), household=["adresse"])


def test_errors_never_quote_personal_columns(tmp_path: Path, quotas: Path) -> None:
    path = write(tmp_path / "r.csv", "id,nom,Genre,Âge\n1,Zoé Secret,Femme,99\n")
    with pytest.raises(InputError) as caught:
        read_respondents(path, read_quotas(quotas))
    assert "Secret" not in str(caught.value)


def test_seats_against_pool(tmp_path: Path, quotas: Path) -> None:
    path = write(tmp_path / "r.csv", "id,Genre,Âge\n1,Femme,18-29\n2,Homme,30+\n")
    table = read_quotas(quotas)
    pool = read_respondents(path, table)
    assert make_problem(pool, table, 2).seats == 2
    with pytest.raises(InputError, match=r"--seats.*'3'.*more seats than the 2 respondents") as c:
        make_problem(pool, table, 3, respondents_path=path)
    assert c.value.value == "3"
    with pytest.raises(InputError, match="--seats"):
        make_problem(pool, table, 0)


# ----------------------------------------------------------------------------- encodings

# Spreadsheet cells: printable text with French letters, never the C1 control range
# (no spreadsheet writes it, and Windows-1252 reads those bytes differently).
CELL = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + " ,;\"'-éèêàçôûœÉÀÇ€’"),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(CELL, min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1"]),
)
def test_encodings_and_delimiters_round_trip(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], delimiter: str, encoding: str
) -> None:
    import csv
    import io

    if encoding == "latin-1":
        names = [n.replace("œ", "oe").replace("€", "E").replace("’", "'") for n in names]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["id", "nom", "Genre", "Âge"])
    for number, name in enumerate(names):
        writer.writerow([f"é{number}", name, "Femme" if number % 2 else "Homme", "30+"])
    data = buffer.getvalue().encode(encoding)
    if encoding in ("cp1252", "latin-1"):
        try:
            data.decode("utf-8")
            assume(False)  # an 8-bit file that happens to be valid UTF-8 is ambiguous
        except UnicodeDecodeError:
            pass
    folder = tmp_path_factory.mktemp("enc")
    quotas = write(folder / "q.csv", QUOTAS)
    path = folder / "r.csv"
    path.write_bytes(data)
    pool = read_respondents(path, read_quotas(quotas))
    assert pool.ids == tuple(f"é{n}" for n in range(len(names)))
    assert [v[0] for v in pool.values] == ["Femme" if n % 2 else "Homme" for n in range(len(names))]


def test_latin1_quotas_and_detection() -> None:
    assert detect_encoding("Âge".encode("cp1252")) == "cp1252"
    assert detect_encoding("\ufeffÂge".encode()) == "utf-8-sig"
    assert detect_encoding("Âge".encode()) == "utf-8"
    assert detect_encoding(b"\x81\xc2") == "latin-1"  # 0x81 is undefined in Windows-1252
    # A multi-byte character cut at the end of a sample does not rule out UTF-8.
    assert detect_encoding("abcé".encode()[:-1], complete=False) == "utf-8"


def test_sniff_delimiter() -> None:
    assert sniff_delimiter("id;adresse;age\n1;12, rue X;30\n2;3, bd Y;40\n") == ";"
    assert sniff_delimiter("id,age\n1,30\n") == ","
    assert sniff_delimiter("id\tage\n1\t30\n") == "\t"
    assert sniff_delimiter("id\n1\n") == ","


# ----------------------------------------------------------------------------- the one reader
# Every importer reads through kleroterion.sortition.reader; what it refuses, each refuses.


def _importers(tmp_path: Path, quotas: Path) -> dict[str, Callable[[Path], object]]:
    from kleroterion.services.tables import read_table as service_read_table
    from kleroterion.sortition.grouped import read_grouped_respondents

    table = read_quotas(quotas)
    return {
        "quotas": read_quotas,
        "respondents": lambda path: read_respondents(path, table),
        "grouped respondents": lambda path: read_grouped_respondents(
            path, "groupe", {"g": table.quotas}
        ),
        "services (respondents import, attendance import)": service_read_table,
        "scan_table": lambda path: _raise_first(scan_table(path)[1]),
    }


def _raise_first(problems: list[InputError]) -> None:
    if problems:
        raise problems[0]


@pytest.mark.parametrize(
    "header",
    [
        "id,Genre,Âge,genre",
        "id,Genre,Âge, ID ",
        "feature,value,min,max,Value",
        "category,category value,min,max,category_value",
    ],
)
def test_a_column_named_twice_is_refused_by_every_importer(
    tmp_path: Path, quotas: Path, header: str
) -> None:
    from kleroterion.services.errors import InvalidInput

    path = write(tmp_path / "twice.csv", f"\n{header}\nR1,Femme,18-29,x,y\n")
    for importer in _importers(tmp_path, quotas).values():
        with pytest.raises((InputError, InvalidInput), match="names this column twice"):
            importer(path)
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.line == 2 and caught.value.column_number == len(header.split(","))
    assert "columns " in str(caught.value) and "each column name once" in str(caught.value)


def test_blank_header_cells_are_not_duplicates(tmp_path: Path, quotas: Path) -> None:
    path = write(tmp_path / "r.csv", "id,Genre,Âge,,\nR1,Femme,18-29,,\n")
    assert read_respondents(path, read_quotas(quotas)).ids == ("R1",)


def test_a_nul_byte_is_refused_at_its_line(tmp_path: Path, quotas: Path) -> None:
    path = write(tmp_path / "nul.csv", "id,Genre,Âge\nR1,Femme,18-29\nR2,Ho\x00mme,30+\n")
    for importer in _importers(tmp_path, quotas).values():
        with pytest.raises(Exception, match="NUL byte"):
            importer(path)
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.line == 3
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("id,Genre,Âge\nR1,Femme,18-29\n".encode("utf-16"))
    with pytest.raises(InputError, match="looks like UTF-16"):
        read_table(utf16)


def test_a_header_repeated_mid_file_is_not_a_person(tmp_path: Path, quotas: Path) -> None:
    text = "id,Genre,Âge\nR1,Femme,18-29\nID, genre ,âge\nR2,Homme,30+\n"
    path = write(tmp_path / "twice.csv", text)
    with pytest.raises(InputError, match="header line is repeated") as caught:
        read_respondents(path, read_quotas(quotas))
    assert caught.value.line == 3
    # A quotas file pasted under another one: the same refusal.
    quota_text = QUOTAS + QUOTAS.replace("Genre", "Sexe").replace("Âge", "Tranche")
    with pytest.raises(InputError, match="header line is repeated") as caught:
        read_quotas(write(tmp_path / "q2.csv", quota_text))
    assert caught.value.line == 6


@pytest.mark.parametrize(
    ("character", "rendering"),
    [
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("\u00ad", "U+00AD SOFT HYPHEN"),
        ("\u200e", "U+200E LEFT-TO-RIGHT MARK"),
        ("\u2060", "U+2060 WORD JOINER"),
    ],
)
def test_an_invisible_character_is_refused_and_shown(
    tmp_path: Path, quotas: Path, character: str, rendering: str
) -> None:
    text = f"id,nom,Genre,Âge\nR1,Dupont,Femme,18-29\nR2,Du{character}rand,Homme,30+\n"
    path = write(tmp_path / "r.csv", text)
    for importer in _importers(tmp_path, quotas).values():
        with pytest.raises(Exception, match="invisible character"):
            importer(path)
    with pytest.raises(InputError) as caught:
        read_table(path)
    error = caught.value
    assert (error.line, error.column, error.column_number) == (3, "nom", 2)
    assert f"{rendering}, at position 3" in str(error)
    assert "Durand" not in str(error) and "Du" + character not in str(error)


def test_a_byte_order_mark_mid_file_is_refused(tmp_path: Path, quotas: Path) -> None:
    # Two UTF-8 files with BOMs concatenated: the second BOM lands mid-file.
    first = "\ufeffid,Genre,Âge\nR1,Femme,18-29\n".encode()
    path = tmp_path / "joined.csv"
    path.write_bytes(first + "\ufeffR2,Homme,30+\n".encode())
    with pytest.raises(InputError, match="U\\+FEFF") as caught:
        read_respondents(path, read_quotas(quotas))
    assert caught.value.line == 3 and caught.value.column == "id"


def test_a_no_break_space_in_an_id_is_refused(tmp_path: Path, quotas: Path) -> None:
    path = write(tmp_path / "r.csv", "id,Genre,Âge\nR\u00a01,Femme,18-29\nR 2,Homme,30+\n")
    with pytest.raises(InputError, match="no-break space, U\\+00A0 NO-BREAK SPACE") as caught:
        read_respondents(path, read_quotas(quotas))
    assert (caught.value.line, caught.value.column) == (2, "id")
    assert caught.value.value == "R<U+00A0 NO-BREAK SPACE>1"


def test_a_quotas_file_in_two_encodings_is_refused_at_the_line(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(
        "feature,value,min,max\nGenre,Femme,1,2\nÂge,18-29,0,2\n".encode()
        + "Âge,30+,1,3\n".encode("cp1252")
    )
    with pytest.raises(InputError, match="mixes two encodings") as caught:
        read_quotas(path)
    assert caught.value.line == 4


def test_services_table_is_the_engine_table(tmp_path: Path) -> None:
    from kleroterion.services.tables import Table as ServiceTable
    from kleroterion.services.tables import read_table as service_read_table

    path = write(tmp_path / "a.csv", "Member ID;Statut\n12;present\n")
    table = service_read_table(path)
    assert isinstance(table, ServiceTable) and isinstance(table, Table)
    assert table.column("member_id") == 0 and table.column("statut") == 1
    assert table.rows == [(2, ["12", "present"])] and len(table.digest) == 64


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=string.ascii_letters + "éèàç _-", min_size=1, max_size=8),
        min_size=1,
        max_size=6,
    )
)
def test_header_check_matches_column_lookup(tmp_path_factory, names: list[str]) -> None:
    # A header is refused exactly when two of its names would be looked up as one.
    keys = [header_key(n) for n in names if header_key(n)]
    header = ",".join(n.replace(",", "") for n in names)
    path = tmp_path_factory.mktemp("h") / "h.csv"
    write(path, header + "\n" + ",".join("x" for _ in names) + "\n")
    table, problems = scan_table(path)
    if len(keys) != len(set(keys)):
        assert table is None and "twice" in str(problems[0])
    else:
        assert table is not None
        for name in names:
            if header_key(name):
                assert table.column(name) is not None
