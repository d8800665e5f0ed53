"""The uniform lottery: the rule, its folder, and what verify catches."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from kleroterion.sortition.manifest import manifest_digest
from kleroterion.sortition.uniform import publish_uniform, uniform_pick, verify_uniform

IDS = [f"A{n:03d}" for n in range(30)]
HOMES = [str(n // 3) if n < 12 else None for n in range(30)]  # four homes of three


def _rank(number: int, ident: str) -> int:
    return int(hashlib.sha256(f"{number}:{ident}".encode()).hexdigest(), 16)


def test_the_rule_is_the_sha256_order_as_a_resident_computes_it() -> None:
    by_hand = sorted(IDS, key=lambda ident: _rank(2024, ident))[:5]
    assert [IDS[i] for i in uniform_pick(IDS, None, 5, 2024)] == sorted(by_hand)


@given(number=st.integers(min_value=0, max_value=10**12), seats=st.integers(1, 10),
       order=st.permutations(range(30)))
def test_the_draw_depends_on_the_number_not_on_the_file_order(
    number: int, seats: int, order: list[int]
) -> None:
    shuffled = [IDS[i] for i in order]
    homes = [HOMES[i] for i in order]
    drawn = {shuffled[i] for i in uniform_pick(shuffled, homes, seats, number)}
    assert drawn == {IDS[i] for i in uniform_pick(IDS, HOMES, seats, number)}
    assert len(drawn) == seats
    chosen_homes = [HOMES[IDS.index(i)] for i in drawn if HOMES[IDS.index(i)]]
    assert len(chosen_homes) == len(set(chosen_homes))  # one per household


def test_a_published_uniform_folder_verifies_and_catches_tampering(tmp_path: Path) -> None:
    folder = tmp_path / "poitiers"
    manifest = publish_uniform(folder, IDS, HOMES, 6, 31415)
    digest = manifest["digest"]
    report = verify_uniform(folder, digest=digest, number=31415)
    assert report.ok, str(report)
    assert report.panel == manifest["draw"]["panel"]
    # Another public number: the recorded panel is not the one it draws.
    assert not verify_uniform(folder, digest=digest, number=27182).ok
    # A candidate removed, every digest rewritten: the published digest tells.
    text = (folder / "respondents.csv").read_text(encoding="utf-8").splitlines()
    (folder / "respondents.csv").write_text("\n".join(text[:-1]) + "\n", encoding="utf-8")
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    data["files"]["respondents.csv"] = hashlib.sha256(
        (folder / "respondents.csv").read_bytes()).hexdigest()
    data["respondents"] = len(IDS) - 1
    data["digest"] = manifest_digest(data)
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    report = verify_uniform(folder, digest=digest, number=31415)
    assert ("manifest.json", "digest") in {(d.file, d.where) for d in report.differences}
