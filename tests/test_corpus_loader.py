"""The loader enforces docs/corpus.md and names file, line and problem for every bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.corpus import derive_force, load_agreement, load_corpus, load_plan
from checker.errors import InputError


def problems_of(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_fixture_agreement_loads_with_ids_from_treaty_numbers(mdta: Path) -> None:
    ag = load_agreement(mdta)
    assert ag.id == "mdta"
    assert [c.id for c in ag.chapters] == ["mdta:ch1", "mdta:ch2"]
    ids = [a.id for a in ag.articles]
    assert ids == ["mdta:1.1", "mdta:1.2", "mdta:1.3", "mdta:1.4", "mdta:1.5", "mdta:2.1", "mdta:2.2",
                   "mdta:annex-2-A"]
    art = next(a for a in ag.articles if a.id == "mdta:1.2")
    assert [c.id for c in art.clauses] == ["mdta:1.2.1", "mdta:1.2.2", "mdta:1.2.3"]
    # an article restated as a whole is one clause with the article's id
    defs = next(a for a in ag.articles if a.id == "mdta:1.1")
    assert [c.id for c in defs.clauses] == ["mdta:1.1"]


def test_force_is_derived_from_modal_verbs(mdta: Path) -> None:
    clauses = {c.id: c for a in load_agreement(mdta).articles for c in a.clauses}
    assert clauses["mdta:1.1"].force == "definitional"
    assert clauses["mdta:1.2.1"].force == "cooperation"
    assert clauses["mdta:1.2.2"].force == "binding"
    assert clauses["mdta:1.4.1"].force == "best-endeavour"
    assert clauses["mdta:1.4.2"].force == "binding"
    assert clauses["mdta:1.5"].force == "procedural"


@pytest.mark.parametrize(("text", "force"), [
    ("Each Party shall endeavour to accept electronic documents.", "best-endeavour"),
    ("Each Party shall endeavour to publish them and shall ensure they are free.", "binding"),
    ("No Party shall require a covered person to use local computing facilities.", "binding"),
    ("The Parties recognise the value of cooperation on digital identities.", "cooperation"),
    ("A Party may adopt a measure to achieve a legitimate public policy objective.", "cooperation"),
    ("Nothing in this Chapter shall prevent a Party from maintaining such a measure.", "definitional"),
    ("This Article shall not be construed to oblige a Party to privatise.", "definitional"),
])
def test_derive_force(text: str, force: str) -> None:
    assert derive_force(text) == force


def test_force_override_and_suspension_are_kept(mdta: Path) -> None:
    ag = load_agreement(mdta)
    art = {a.id: a for a in ag.articles}
    c = art["mdta:2.2"].clauses[1]
    assert c.suspended is not None and c.suspended.item == 1 and c.suspended.part == "second sentence"
    assert art["mdta:2.2"].partly_suspended and not art["mdta:2.2"].fully_suspended
    assert art["mdta:annex-2-A"].fully_suspended


def _write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_duplicate_paragraph_label_names_file_and_line(mdta_copy: Path) -> None:
    _write(mdta_copy, "ch03.yaml", """chapter: 3
title: Extra
articles:
  - number: "3.1"
    title: Twice
    paragraphs:
      - label: "1"
        text: Each Party shall do one thing.
      - label: "1"
        text: Each Party shall do another thing.
""")
    with pytest.raises(InputError) as exc:
        load_agreement(mdta_copy)
    assert problems_of(exc) == [f"{mdta_copy / 'ch03.yaml'}:9: article 3.1: duplicate paragraph label '1'"]


def test_duplicate_article_number_across_files(mdta_copy: Path) -> None:
    _write(mdta_copy, "ch01b.yaml", """chapter: 1
title: Digital Trade again
articles:
  - number: "1.2"
    title: Again
    text: Each Party shall do it.
""")
    with pytest.raises(InputError) as exc:
        load_agreement(mdta_copy)
    assert "chapter 1 is also defined in" in problems_of(exc)[0]


def test_missing_text_is_reported(mdta_copy: Path) -> None:
    _write(mdta_copy, "ch03.yaml", 'chapter: 3\ntitle: X\narticles:\n  - number: "3.1"\n    title: Empty\n'
           '    paragraphs:\n      - label: "1"\n        text: ""\n')
    with pytest.raises(InputError) as exc:
        load_agreement(mdta_copy)
    assert problems_of(exc) == [f"{mdta_copy / 'ch03.yaml'}:8: article 3.1 paragraph 1: 'text' is empty"]


def test_bad_article_number_is_reported(mdta_copy: Path) -> None:
    _write(mdta_copy, "ch03.yaml", 'chapter: 3\ntitle: X\narticles:\n  - number: "4.1"\n    title: Wrong\n'
           '    text: Each Party shall act.\n')
    with pytest.raises(InputError) as exc:
        load_agreement(mdta_copy)
    assert problems_of(exc) == [
        f"{mdta_copy / 'ch03.yaml'}:4: bad article number '4.1' in chapter 3 (expected 3.N)"]


def test_unknown_field_is_reported_with_its_line(mdta_copy: Path) -> None:
    _write(mdta_copy, "ch03.yaml", 'chapter: 3\ntitle: X\narticles:\n  - number: "3.1"\n    title: Typo\n'
           '    paragrpahs:\n      - label: "1"\n        text: Each Party shall act.\n    text: x\n')
    with pytest.raises(InputError) as exc:
        load_agreement(mdta_copy)
    assert any(p.startswith(f"{mdta_copy / 'ch03.yaml'}:6: unknown field 'paragrpahs' in article")
               for p in problems_of(exc))


def test_malformed_yaml_is_reported_with_its_line(mdta_copy: Path) -> None:
    _write(mdta_copy, "ch03.yaml", 'chapter: 3\ntitle: X\narticles:\n  - number: "3.1"\n    title: [unclosed\n')
    with pytest.raises(InputError) as exc:
        load_agreement(mdta_copy)
    (msg,) = problems_of(exc)
    assert msg.startswith(f"{mdta_copy / 'ch03.yaml'}:") and "malformed YAML" in msg


def test_file_that_is_not_utf8_is_reported_with_its_line(mdta_copy: Path) -> None:
    _write(mdta_copy, "ch03.yaml", b'chapter: 3\ntitle: X\narticles:\n  - number: "3.1"\n    title: Caf\xe9\n')
    with pytest.raises(InputError) as exc:
        load_agreement(mdta_copy)
    assert problems_of(exc) == [f"{mdta_copy / 'ch03.yaml'}:5: not UTF-8 (byte 0xe9); save the file as UTF-8"]


def test_duplicate_yaml_key_is_an_error(mdta_copy: Path) -> None:
    _write(mdta_copy, "ch03.yaml", 'chapter: 3\ntitle: X\ntitle: Y\narticles: []\n')
    with pytest.raises(InputError) as exc:
        load_agreement(mdta_copy)
    assert "duplicate key 'title'" in problems_of(exc)[0]
    assert problems_of(exc)[0].startswith(f"{mdta_copy / 'ch03.yaml'}:3:")


def test_directory_without_agreement_yaml(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_agreement(tmp_path)
    assert problems_of(exc) == [f"{tmp_path}: not an agreement directory: no agreement.yaml"]


def test_plan_header_and_measures(pilot: Path) -> None:
    plan = load_plan(pilot)
    assert plan.id == "pilot" and plan.declared == 4 and not plan.declared_at_least
    assert plan.target is not None and plan.target.aligned == 3 and plan.target.share == 0.75
    assert [m.id for m in plan.measures] == ["p-data", "p-window", "p-finance", "p-park"]
    assert plan.measures[0].line == 11


def test_plain_list_of_measures_takes_plan_id_from_file_name(zh_only: Path) -> None:
    plan = load_plan(zh_only)
    assert plan.id == "zh-only" and plan.target is None
    assert plan.measures[0].text is None and plan.measures[0].text_zh


@pytest.mark.parametrize(("body", "expected"), [
    ("measures:\n  - id: a\n    text: one\n  - id: a\n    text: two\n", ":4: duplicate measure id a (first at line 2)"),
    ("measures:\n  - id: a\n", ":2: measure a: needs 'text' or 'text_zh'"),
    ("measures:\n  - id: Bad Id\n    text: x\n", ":2: measure: bad or missing id 'Bad Id'"),
    ("measures:\n  - id: a\n    txet: x\n", ":3: unknown field 'txet' in measure"),
    ("plan:\n  declared: many\nmeasures:\n  - id: a\n    text: x\n", ":2: declared must be a number or 'N+'"),
    ("plan:\n  target: {aligned: 3, share: 40}\nmeasures:\n  - id: a\n    text: x\n",
     ":2: target share must be between 0 and 1"),
])
def test_bad_measures_are_reported(tmp_path: Path, body: str, expected: str) -> None:
    path = _write(tmp_path, "plan.yaml", body)
    with pytest.raises(InputError) as exc:
        load_plan(path)
    assert any(p.startswith(f"{path}{expected}") for p in problems_of(exc)), problems_of(exc)


def test_measure_ids_must_be_unique_across_plans(tmp_path: Path, pilot: Path) -> None:
    other = _write(tmp_path, "other.yaml", "measures:\n  - id: p-data\n    text: again\n")
    with pytest.raises(InputError) as exc:
        load_corpus([], [pilot, other])
    assert problems_of(exc) == [f"{other}:2: duplicate measure id p-data (also in {pilot}:11)"]


def test_merge_conflict_marker_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "plan.yaml", "measures:\n<<<<<<< HEAD\n  - id: a\n    text: x\n=======\n>>>>>>> b\n")
    with pytest.raises(InputError) as exc:
        load_plan(path)
    assert problems_of(exc) == [f"{path}:2: unresolved merge-conflict marker"]
