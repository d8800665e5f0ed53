"""The invitation draw: proportional allocation, uniform sampling, reproducibility, safe output."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kleroterion.sortition import invitation
from kleroterion.sortition.invitation import allocate, draw_invitations, sample_strata
from kleroterion.sortition.io import InputError


def registry(
    path: Path, strata: dict[str, int], delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["numero", "nom", "adresse", "arrondissement"])
    number = 0
    for stratum, size in strata.items():
        for _ in range(size):
            number += 1
            writer.writerow([number, f"Zoé {number}", f"{number}, rue de la Paix", stratum])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def read(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding)), delimiter=delimiter))


# ----------------------------------------------------------------------------- allocation


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 500), min_size=1),
    data=st.data(),
)
def test_allocation_is_largest_remainder(sizes: dict[str, int], data: st.DataObject) -> None:
    total = sum(sizes.values())
    count = data.draw(st.integers(0, total))
    shares = allocate(sizes, count, seed=1)
    assert sum(shares.values()) == count
    for stratum, size in sizes.items():
        exact = count * size / total if total else 0
        # Largest remainder: the floor or the ceiling of the exact share, never more than the size.
        assert int(exact) <= shares[stratum] <= int(exact) + 1
        assert shares[stratum] <= size


def test_allocation_example_and_ties() -> None:
    # Exact shares 4.2, 3.5, 2.3: floors 4, 3, 2 and the one left goes to the .5.
    assert allocate({"a": 42, "b": 35, "c": 23}, 10, seed=0) == {"a": 4, "b": 4, "c": 2}
    # Three equal remainders for two invitations: the seed decides, not the names.
    winners = {
        tuple(sorted(s for s, n in allocate(dict.fromkeys("xyz", 1), 2, seed=k).items() if n))
        for k in range(30)
    }
    assert len(winners) == 3
    with pytest.raises(ValueError, match="cannot invite 5 of 4"):
        allocate({"a": 4}, 5, seed=0)


# ----------------------------------------------------------------------------- sampling


def test_sample_is_uniform_within_a_stratum() -> None:
    """Every row of a stratum is invited equally often (chi-square over 3000 seeded draws)."""
    rows = [[str(i), "a" if i < 20 else "b"] for i in range(30)]
    hits: Counter[str] = Counter()
    draws = 3000
    for seed in range(draws):
        _, chosen = sample_strata(rows, 1, 6, seed)
        assert [len(chosen["a"]), len(chosen["b"])] == [4, 2]
        hits.update(row[0] for rows_ in chosen.values() for row in rows_)
    for stratum, members, invited in (("a", range(20), 4), ("b", range(20, 30), 2)):
        expected = draws * invited / len(members)
        chi2 = sum((hits[str(i)] - expected) ** 2 / expected for i in members)
        # 99.9th percentile of chi-square with 19 (resp. 9) degrees of freedom: 43.8 (27.9).
        assert chi2 < (43.8 if stratum == "a" else 27.9), (stratum, chi2)


def test_result_does_not_depend_on_the_threshold() -> None:
    rows = [[str(i), random.Random(i).choice("abcde")] for i in range(2000)]
    reference = sample_strata(rows, 1, 300, seed=5, threshold=1.0)
    for threshold in (0.0, 0.001, 0.05, 0.5, None):
        assert sample_strata(rows, 1, 300, seed=5, threshold=threshold) == reference


def test_unstratified_sample_and_blank_lines() -> None:
    rows = [[str(i)] for i in range(50)] + [[]]
    sizes, chosen = sample_strata(rows, None, 7, seed=3)
    assert sizes == {"": 50} and len(chosen[""]) == 7


# ----------------------------------------------------------------------------- files


def test_draw_is_proportional_reproducible_and_keeps_columns(tmp_path: Path) -> None:
    roll = registry(tmp_path / "roll.csv", {"75001": 300, "75011": 600, "75020": 100})
    out1, out2 = tmp_path / "a.csv", tmp_path / "b.csv"
    result = draw_invitations(roll, out1, count=50, seed=2024, stratify_by="arrondissement")
    draw_invitations(roll, out2, count=50, seed=2024, stratify_by="arrondissement")
    assert out1.read_bytes() == out2.read_bytes()
    assert result.rows == 1000 and result.passes == 1
    assert result.strata == {"75001": (300, 15), "75011": (600, 30), "75020": (100, 5)}
    rows = read(out1)
    assert rows[0] == ["numero", "nom", "adresse", "arrondissement"]
    assert Counter(r[3] for r in rows[1:]) == {"75001": 15, "75011": 30, "75020": 5}
    numbers = [int(r[0]) for r in rows[1:]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 50  # registry order, no repeat
    assert all(r[1] == f"Zoé {r[0]}" for r in rows[1:])  # whole rows, unmangled
    other = draw_invitations(
        roll, tmp_path / "c.csv", count=50, seed=2025, stratify_by="arrondissement"
    )
    assert other.strata == result.strata and read(tmp_path / "c.csv") != rows


def test_file_draw_matches_in_memory_rule(tmp_path: Path) -> None:
    roll = registry(tmp_path / "roll.csv", {"x": 40, "y": 25})
    draw_invitations(roll, tmp_path / "out.csv", count=13, seed=9, stratify_by="arrondissement")
    _, chosen = sample_strata(read(roll)[1:], 3, 13, seed=9)
    expected = sorted((r for rows in chosen.values() for r in rows), key=lambda r: int(r[0]))
    assert read(tmp_path / "out.csv")[1:] == expected


def test_second_pass_gives_the_same_invitations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roll = registry(tmp_path / "roll.csv", {"x": 3000, "y": 1500})
    first = draw_invitations(
        roll, tmp_path / "one.csv", count=400, seed=1, stratify_by="arrondissement"
    )
    # A tiny sample makes the threshold far too low: a second pass must make up for it.
    monkeypatch.setattr(invitation, "_SAMPLE_BYTES", 64)
    monkeypatch.setattr(invitation, "_MARGIN", 0.01)
    second = draw_invitations(
        roll, tmp_path / "two.csv", count=400, seed=1, stratify_by="arrondissement"
    )
    assert (first.passes, second.passes) == (1, 2)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(";", "utf-8-sig"), (";", "cp1252"), (",", "latin-1")]
)
def test_french_exports_round_trip(tmp_path: Path, delimiter: str, encoding: str) -> None:
    roll = registry(tmp_path / "roll.csv", {"Évry": 30, "Créteil": 20}, delimiter, encoding)
    out = tmp_path / "out.csv"
    result = draw_invitations(roll, out, count=10, seed=4, stratify_by="arrondissement")
    # Latin-1 bytes are read as Windows-1252, which agrees on every letter.
    assert (result.encoding, result.delimiter) == (encoding.replace("latin-1", "cp1252"), delimiter)
    rows = read(out, encoding, delimiter)
    assert Counter(r[3] for r in rows[1:]) == {"Évry": 6, "Créteil": 4}
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")


def test_latin1_after_an_ascii_start_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(invitation, "_SAMPLE_BYTES", 128)
    roll = tmp_path / "roll.csv"
    lines = ["nom,arrondissement"] + [f"Martin {i},A" for i in range(20)] + ["Zoé,B"]
    roll.write_bytes("\n".join(lines).encode("latin-1") + b"\n")
    result = draw_invitations(
        roll, tmp_path / "out.csv", count=21, seed=0, stratify_by="arrondissement"
    )
    assert result.encoding == "cp1252"
    assert "Zoé" in (tmp_path / "out.csv").read_bytes().decode("cp1252")


def test_progress_is_reported(tmp_path: Path) -> None:
    roll = registry(tmp_path / "roll.csv", {"a": 200})
    seen: list[tuple[str, float]] = []
    draw_invitations(
        roll, tmp_path / "o.csv", count=5, seed=1, progress=lambda s, f: seen.append((s, f))
    )
    assert seen[-1] == ("writing the invitations", 1.0)
    assert any(s == "reading the registry" and f == 1.0 for s, f in seen)


# ----------------------------------------------------------------------------- errors


def test_errors_leave_no_output(tmp_path: Path) -> None:
    roll = registry(tmp_path / "roll.csv", {"a": 5, "b": 5})
    out = tmp_path / "out.csv"
    with pytest.raises(InputError, match=r"--stratify-by.*'quartier'.*accepted: numero, nom") as c:
        draw_invitations(roll, out, count=3, seed=1, stratify_by="quartier")
    assert c.value.line == 1
    with pytest.raises(InputError, match=r"--count.*'11'.*cannot invite 11 of 10"):
        draw_invitations(roll, out, count=11, seed=1, stratify_by="arrondissement")
    with pytest.raises(InputError, match="--count"):
        draw_invitations(roll, out, count=0, seed=1)
    with pytest.raises(InputError, match="cannot be read"):
        draw_invitations(tmp_path / "absent.csv", out, count=1, seed=1)
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        draw_invitations(tmp_path / "empty.csv", out, count=1, seed=1)
    with pytest.raises(InputError, match="registry itself"):
        draw_invitations(roll, roll, count=1, seed=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.csv", "roll.csv"]


def test_short_row_is_located_without_personal_data(tmp_path: Path) -> None:
    roll = tmp_path / "roll.csv"
    roll.write_text("nom,adresse,arrondissement\nZoé,1 rue X,A\n\nSecret Person\nBob,2 rue Y,B\n")
    with pytest.raises(InputError) as caught:
        draw_invitations(roll, tmp_path / "o.csv", count=1, seed=1, stratify_by="arrondissement")
    error = caught.value
    assert (error.line, error.column, error.column_number) == (4, "arrondissement", 3)
    assert "Secret" not in str(error) and "line 4" in str(error)
    assert not (tmp_path / "o.csv").exists()


def test_failed_write_keeps_previous_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roll = registry(tmp_path / "roll.csv", {"a": 20})
    out = tmp_path / "out.csv"
    out.write_text("previous")

    monkeypatch.setattr(invitation, "spreadsheet", _BrokenCsv())  # its one writer
    with pytest.raises(OSError, match="disk full"):
        draw_invitations(roll, out, count=5, seed=1)
    assert out.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "roll.csv"]


class _BrokenCsv:
    """The csv module, except that writers fail half-way."""

    def __getattr__(self, name: str) -> object:
        return getattr(csv, name)

    def writer(self, f: io.TextIOBase, **kwargs: object) -> object:
        real = csv.writer(f, **kwargs)  # type: ignore[arg-type]

        class Writer:
            def writerow(self, row: list[str]) -> None:
                real.writerow(row)

            def writerows(self, rows: object) -> None:
                raise OSError("disk full")

        return Writer()


# ----------------------------------------------------------------------------- lax registries
# Each of these was accepted before: refused now, at its line and column, quoting no
# personal cell, and leaving no output.


def _refused(roll: Path, tmp_path: Path, **options: object) -> InputError:
    out = tmp_path / "letters.csv"
    arguments: dict[str, object] = {"count": 2, "seed": 7, **options}
    with pytest.raises(InputError) as caught:
        draw_invitations(roll, out, **arguments)  # type: ignore[arg-type]
    assert not out.exists()
    return caught.value


def _roll(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "roll.csv"
    path.write_bytes(text.encode(encoding))
    return path


HEAD = "numero,nom,adresse,arrondissement\n"
ROWS = "".join(f"{i},Zoé {i},{i} rue de la Paix,{'AB'[i % 2]}\n" for i in range(1, 9))


@pytest.mark.parametrize("stratify_by", [None, "arrondissement"])
def test_a_column_named_twice_is_refused(tmp_path: Path, stratify_by: str | None) -> None:
    roll = _roll(tmp_path, "numero,nom,Nom ,arrondissement\n" + ROWS)
    error = _refused(roll, tmp_path, stratify_by=stratify_by)
    assert "names this column twice (columns 2 and 3)" in str(error)
    assert (error.line, error.column_number) == (1, 3)


def test_a_nul_byte_is_refused_at_its_line(tmp_path: Path) -> None:
    roll = _roll(tmp_path, HEAD + ROWS + "9,Zo\x00é,9 rue,A\n" + ROWS)
    error = _refused(roll, tmp_path, stratify_by="arrondissement")
    assert "NUL byte" in str(error) and error.line == 10


@pytest.mark.parametrize(
    ("header", "options"),
    [
        ("id,nom,adresse,arrondissement\n", {"stratify_by": "arrondissement"}),
        ("id,nom,adresse,arrondissement\n", {}),
        ("numero,nom,adresse,arrondissement\n", {"id_column": "numero"}),
    ],
)
def test_a_duplicate_id_is_refused_naming_both_lines(
    tmp_path: Path, header: str, options: dict[str, object]
) -> None:
    roll = _roll(tmp_path, header + ROWS + "3,Secret Person,3 rue de la Paix,B\n")
    error = _refused(roll, tmp_path, **options)
    assert error.line == 10 and "already on line 4" in str(error)
    assert error.column_number == 1 and "Secret" not in str(error)


def test_without_an_id_column_equal_numbers_are_not_checked(tmp_path: Path) -> None:
    roll = _roll(tmp_path, HEAD + ROWS + "3,Homonyme,3 rue,B\n")
    assert draw_invitations(roll, tmp_path / "o.csv", count=2, seed=7).rows == 9
    error = _refused(roll, tmp_path, id_column="ref")
    assert "no id column 'ref'" in str(error)


@pytest.mark.parametrize(
    "options", [{"stratify_by": "arrondissement"}, {}, {"id_column": "numero"}]
)
def test_a_header_repeated_mid_file_is_not_a_person(
    tmp_path: Path, options: dict[str, object]
) -> None:
    roll = _roll(tmp_path, HEAD + ROWS + HEAD + ROWS.replace(",A\n", ",B\n"))
    error = _refused(roll, tmp_path, **options)
    assert "header line is repeated" in str(error) and error.line == 10


def test_blank_rows_and_strata_are_refused(tmp_path: Path) -> None:
    roll = _roll(tmp_path, HEAD + ROWS + ",,,\n" + ROWS)
    assert "every cell of the row is blank" in str(_refused(roll, tmp_path))
    error = _refused(roll, tmp_path, stratify_by="arrondissement")
    assert "stratum is blank" in str(error) and error.line == 10


def test_unknown_strata_and_two_spellings_are_refused(tmp_path: Path) -> None:
    roll = _roll(tmp_path, HEAD + ROWS + "9,Zoé,9 rue,C\n")
    error = _refused(roll, tmp_path, stratify_by="arrondissement", strata=["A", "B"])
    assert "not a stratum of the city" in str(error)
    assert (error.line, error.value, error.accepted) == (10, "C", "A, B")
    for spelling in ("b", " B"):
        roll = _roll(tmp_path, HEAD + ROWS + f"9,Zoé,9 rue,{spelling}\n")
        error = _refused(roll, tmp_path, stratify_by="arrondissement")
        assert "also spelt 'B'" in str(error) and error.line == 10
    # Known strata, each spelt once: accepted.
    roll = _roll(tmp_path, HEAD + ROWS)
    result = draw_invitations(
        roll, tmp_path / "o.csv", count=2, seed=7, stratify_by="arrondissement", strata=["A", "B"]
    )
    assert result.rows == 8


@pytest.mark.parametrize(
    ("character", "rendering"),
    [("\u200b", "U+200B ZERO WIDTH SPACE"), ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
     ("\u00ad", "U+00AD SOFT HYPHEN"), ("\u2060", "U+2060 WORD JOINER")],
)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_an_invisible_character_is_refused_and_shown(
    tmp_path: Path, character: str, rendering: str, encoding: str
) -> None:
    roll = _roll(tmp_path, HEAD + ROWS + f"9,Se{character}cret,9 rue,A\n", encoding)
    error = _refused(roll, tmp_path, stratify_by="arrondissement")
    assert (error.line, error.column, error.column_number) == (10, "nom", 2)
    assert f"{rendering}, at position 3" in str(error) and "Secret" not in str(error)


def test_a_soft_hyphen_in_a_windows_1252_file_is_refused(tmp_path: Path) -> None:
    roll = _roll(tmp_path, HEAD + ROWS + "9,Hél\u00e8ne\u00adMarie,9 rue,A\n", "cp1252")
    error = _refused(roll, tmp_path, stratify_by="arrondissement")
    assert "U+00AD SOFT HYPHEN" in str(error) and error.line == 10


def test_a_byte_order_mark_mid_file_is_refused(tmp_path: Path) -> None:
    roll = tmp_path / "roll.csv"
    roll.write_bytes((HEAD + ROWS).encode("utf-8-sig") + ("\ufeff" + ROWS).encode())
    error = _refused(roll, tmp_path, stratify_by="arrondissement")
    assert "U+FEFF" in str(error) and (error.line, error.column_number) == (10, 1)


def test_no_break_spaces_are_refused_in_ids_and_strata_not_in_names(tmp_path: Path) -> None:
    roll = _roll(tmp_path, "id,nom,arrondissement\n1,Zoé,A\n2\u00a0,Bob,B\n")
    error = _refused(roll, tmp_path, count=1)
    assert "no-break space, U+00A0 NO-BREAK SPACE, at position 2" in str(error)
    assert error.line == 3 and error.column == "id"
    roll = _roll(tmp_path, "id,nom,arrondissement\n1,Zoé,A\n2,Bob,B\u00a0\n")
    error = _refused(roll, tmp_path, count=1, stratify_by="arrondissement")
    assert "U+00A0" in str(error) and error.value == "B<U+00A0 NO-BREAK SPACE>"
    roll = _roll(tmp_path, "id,nom,arrondissement\n1,Zoé\u00a0Martin,A\n2,Bob,B\n")
    assert draw_invitations(roll, tmp_path / "o.csv", count=1, seed=1).rows == 2


def test_a_file_in_two_encodings_is_refused_at_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(invitation, "_SAMPLE_BYTES", 128)
    filler = "".join(f"{i},Martin {i},{i} rue,A\n" for i in range(10, 30))
    # UTF-8 first (an é within the sample), Windows-1252 later: it was read again as
    # Windows-1252 and every UTF-8 é became Ã©.
    roll = tmp_path / "roll.csv"
    roll.write_bytes((HEAD + "1,Zoé,1 rue,A\n" + filler).encode() + "2,Noé,2 rue,B\n".encode(
        "cp1252"))
    error = _refused(roll, tmp_path, stratify_by="arrondissement")
    assert "mixes two encodings" in str(error) and "while line 2 is" in str(error)
    assert error.line == 23 and "Noé" not in str(error)
    # Windows-1252 first, UTF-8 later.
    roll.write_bytes((HEAD + "1,Zoé,1 rue,A\n" + filler).encode("cp1252") + "2,Noé,2 rue,B\n"
                     .encode())
    error = _refused(roll, tmp_path, stratify_by="arrondissement")
    assert "mixes two encodings" in str(error) and error.line == 2


def test_an_invisible_character_across_two_buffers_is_found(tmp_path: Path) -> None:
    # The raw bytes are searched one 1 MiB buffer at a time; place U+200B's three bytes
    # across the first boundary.
    boundary = 1 << 20
    text = HEAD
    number = 0
    while len(text.encode()) < boundary - 200:
        number += 1
        text += f"{number},Martin {number},{number} rue,{'AB'[number % 2]}\n"
    prefix = f"{number + 1},"
    pad = boundary - 1 - len((text + prefix).encode())
    text += prefix + "x" * pad + "\u200b" + ",1 rue,A\n" + ROWS
    assert text.encode()[boundary - 1 : boundary + 2] == "\u200b".encode()
    roll = _roll(tmp_path, text)
    error = _refused(roll, tmp_path, stratify_by="arrondissement")
    assert "U+200B" in str(error) and error.line == number + 2


@settings(max_examples=40, deadline=None)
@given(
    position=st.integers(1, 30),
    character=st.sampled_from(["\u200b", "\u200c", "\u200d", "\u200e", "\u202e", "\u2066",
                               "\ufeff", "\u00ad", "\x00"]),
)
def test_any_planted_character_is_found_at_its_line(
    tmp_path_factory: pytest.TempPathFactory, position: int, character: str
) -> None:
    tmp_path = tmp_path_factory.mktemp("roll")
    rows = [f"{i},Martin {i},{i} rue,{'AB'[i % 2]}" for i in range(1, 31)]
    rows[position - 1] = rows[position - 1].replace("Martin", f"Mar{character}tin")
    roll = _roll(tmp_path, HEAD + "\n".join(rows) + "\n")
    error = _refused(roll, tmp_path, stratify_by="arrondissement")
    assert error.line == position + 1
    assert f"Mar{character}tin" not in str(error)


def test_ids_with_equal_hashes_are_told_apart_from_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Duplicates are found by hash; force every id's hash to collide.
    from kleroterion.sortition import registry as checks

    monkeypatch.setattr(checks, "hash", lambda value: 42, raising=False)
    roll = _roll(tmp_path, "id,nom,arrondissement\n1,Zoé,A\n2,Bob,B\n3,Ana,A\n")
    assert draw_invitations(roll, tmp_path / "o.csv", count=1, seed=1).rows == 3
    roll = _roll(tmp_path, "id,nom,arrondissement\n1,Zoé,A\n2,Bob,B\n1,Ana,A\n")
    error = _refused(roll, tmp_path, count=1, stratify_by="arrondissement")
    assert error.line == 4 and "already on line 2" in str(error)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_ordinary_french_text_is_not_suspect(tmp_path: Path, encoding: str) -> None:
    # Apostrophes, guillemets, œ, €, accented capitals and no-break spaces in names and
    # addresses are ordinary: accepted in every encoding.
    rows = "".join(
        f"{i},Cœur\u00a0D’Étienne « Zoé » {i},{i} rue de l’Église – 5 €,{'AB'[i % 2]}\n"
        for i in range(1, 40)
    )
    roll = _roll(tmp_path, HEAD + rows, encoding)
    result = draw_invitations(
        roll, tmp_path / "o.csv", count=5, seed=3, stratify_by="arrondissement"
    )
    assert result.rows == 39 and result.encoding == encoding
