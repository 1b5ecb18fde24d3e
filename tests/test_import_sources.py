"""`rulealign import` on the official texts staged in ../shared/sources (skipped when absent).

Nothing imported here is written inside the repository: every output goes to a temporary
directory. Each source is imported once per module.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from checker.corpus import load_agreement
from checker.importers import import_agreement
from checker.importers.cli import import_group

SOURCES = Path(__file__).resolve().parents[2] / "shared" / "sources"
READTHETPP = SOURCES / "tpp" / "readthetpp"
TOTA = SOURCES / "tpp" / "pta_449.xml"
RCEP = SOURCES / "extras" / "rcep" / "RCEP Agreement (All Chapters).pdf"
JSI = SOURCES / "extras" / "wto_jsi_ecommerce" / "WTO_Agreement_on_Electronic_Commerce.md"

needs = pytest.mark.skipif(not TOTA.is_file() or not READTHETPP.is_dir(), reason="../shared/sources is not present")

# articles per chapter in the signed TPP text (Feb 2016), which the CPTPP incorporates
SIGNED = {1: 3, 2: 32, 3: 32, 4: 9, 5: 12, 6: 8, 7: 18, 8: 13, 9: 30, 10: 13, 11: 22, 12: 10, 13: 26, 14: 18,
          15: 24, 16: 9, 17: 15, 18: 83, 19: 15, 20: 23, 21: 6, 22: 5, 23: 9, 24: 3, 25: 11, 26: 12, 27: 7,
          28: 23, 29: 8, 30: 8}
# the chapter annexes that readthetpp carries (ToTA removed them)
TPP_ANNEXES = (["1-A", "2-A", "2-B", "2-C", "2-D", "3-A", "3-B", "3-C", "3-D", "4-A", "6-A"]
               + [f"8-{c}" for c in "ABCDEF"] + [f"9-{c}" for c in "ABCDEFGHIJKL"]
               + ["10-A", "10-B", "10-C"] + [f"11-{c}" for c in "ABCDE"] + ["12-A", "13-A", "13-B", "15-A", "16-A"]
               + [f"17-{c}" for c in "ABCDEF"] + [f"18-{c}" for c in "ABCDEF"] + ["20-A", "20-B", "26-A"])
RCEP_ARTICLES = {1: 3, 2: 21, 3: 35, 4: 21, 5: 17, 6: 14, 7: 16, 8: 25, 9: 9, 10: 18, 11: 83, 12: 17, 13: 9,
                 14: 5, 15: 7, 16: 8, 17: 16, 18: 8, 19: 21, 20: 9}
RCEP_12 = ["Definitions", "Principles and Objectives", "Scope", "Cooperation", "Paperless Trading",
           "Electronic Authentication and Electronic Signature", "Online Consumer Protection",
           "Online Personal Information Protection", "Unsolicited Commercial Electronic Messages",
           "Domestic Regulatory Framework", "Customs Duties", "Transparency", "Cyber Security",
           "Location of Computing Facilities", "Cross-border Transfer of Information by Electronic Means",
           "Dialogue on Electronic Commerce", "Settlement of Disputes"]


def _import(tmp: Path, *argv: str) -> tuple[Path, str, float]:
    out = tmp / "out"
    t = time.perf_counter()
    res = CliRunner().invoke(import_group, ["agreement", *argv, "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out, res.output, time.perf_counter() - t


_loaded: dict[Path, dict[int, dict]] = {}


def _units(out: Path, key: str = "articles") -> dict[int, list[dict]]:
    if out not in _loaded:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        _loaded[out] = {int(p.stem[2:]): yaml.load(p.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
                        for p in sorted(out.glob("ch*.yaml"))}
    return {ch: data.get(key, []) for ch, data in _loaded[out].items()}


@pytest.fixture(scope="module")
def tpp(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out, output, _ = _import(tmp_path_factory.mktemp("tpp"), str(READTHETPP), "--numbering-from", str(TOTA),
                             "--id", "tpp", "--name", "Trans-Pacific Partnership", "-v")
    return out, output


@needs
def test_readthetpp_with_signed_numbering_has_the_signed_articles(tpp: tuple[Path, str]) -> None:
    out, output = tpp
    arts = _units(out)
    assert {ch: len(a) for ch, a in arts.items()} == SIGNED
    assert sum(SIGNED.values()) == 507
    for ch, items in arts.items():
        assert [a["number"] for a in items] == [f"{ch}.{n}" for n in range(1, SIGNED[ch] + 1)]
    ag = load_agreement(out)  # what `rulealign validate` runs
    assert sum(a.kind == "article" for a in ag.articles) == 507
    assert "found 30 chapters, 507 articles, 57 annexes" in output


@needs
def test_readthetpp_numbers_are_mapped_by_title_not_by_number(tpp: tuple[Path, str]) -> None:
    out, output = tpp
    titles = {a["number"]: a["title"] for items in _units(out).values() for a in items}
    # readthetpp's 9.6bis is the signed 9.7 and the later Chapter 9 articles shift by one
    assert titles["9.7"] == "Treatment in Case of Armed Conflict or Civil Strife"
    assert titles["9.8"] == "Expropriation and Compensation"
    assert titles["9.12"] == "Non-Conforming Measures"
    assert titles["9.30"] == "Service of Documents"
    # Chapter 18's pharmaceutical articles are permuted
    assert titles["18.51"].startswith("Biologics")
    assert titles["18.52"] == "Definition of New Pharmaceutical Product"
    assert titles["18.53"].startswith("Measures Relating to the Marketing of Certain Pharmaceutical")
    assert titles["2.9"] == "Ad hoc Discussions" and titles["2.18"] == "Committee on Trade in Goods"
    assert titles["28.11"] == "Roster of Panel Chairs and Party Specific Lists"
    assert "Article 9.6bis of the source is Article 9.7" in output
    # the text is readthetpp's; nothing is left of the Markdown or of the footnote markers
    text = "".join(p.read_text(encoding="utf-8") for p in out.glob("ch*.yaml"))
    assert "\u27e6" not in text and "](" not in text and "\\." not in text and "<pre" not in text
    ch14 = {a["number"]: a for a in _units(out)[14]}
    assert [p["label"] for p in ch14["14.11"]["paragraphs"]] == ["1", "2", "3"]


@needs
def test_readthetpp_annexes_and_footnotes(tpp: tuple[Path, str]) -> None:
    out, _ = tpp
    annexes = [a["number"] for items in _units(out, "annexes").values() for a in items]
    assert annexes == TPP_ANNEXES
    ch11 = {a["number"]: a for a in _units(out, "annexes")[11]}
    labels = [p["label"] for p in ch11["11-B"]["paragraphs"]]
    assert labels[:4] == ["A.1", "A.2", "A.3", "B"] and all(re.fullmatch(r"[A-Z](\.\d+)?", x) for x in labels)
    ch9 = {a["number"]: a for a in _units(out)[9]}
    assert ch9["9.6"]["notes"][0].startswith("[15] ")  # a footnote marked on the heading
    notes = [n for items in _units(out).values() for a in items
             for n in [*a.get("notes", []), *(x for p in a.get("paragraphs", []) for x in p.get("notes", []))]]
    assert len(notes) > 400 and all(re.match(r"\[\d+\] \S", n) for n in notes)


@needs
def test_tota_xml_alone_has_507_articles() -> None:
    doc = import_agreement(TOTA)
    assert {int(c.number): len(c.articles) for c in doc.chapters} == SIGNED
    assert len(doc.articles) == 507 and not doc.annexes
    assert doc.signed == "2016-02-03" and len(doc.parties) == 12
    a = next(u for u in doc.articles if u.number == "9.4")
    assert a.title == "National Treatment" and a.notes[0].startswith("[14] For greater certainty")
    assert sum(len(p.notes) for u in doc.articles for p in u.paragraphs) + sum(len(u.notes) for u in doc.articles) > 400


@pytest.fixture(scope="module")
def rcep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, float]:
    return _import(tmp_path_factory.mktemp("rcep"), str(RCEP), "--id", "rcep",
                   "--name", "Regional Comprehensive Economic Partnership Agreement")


@pytest.mark.skipif(not RCEP.is_file(), reason="../shared/sources/extras/rcep is not present")
def test_rcep_pdf_imports_its_20_chapters(rcep: tuple[Path, str, float]) -> None:
    out, output, seconds = rcep
    arts = _units(out)
    assert {ch: len(a) for ch, a in arts.items()} == RCEP_ARTICLES
    for ch, items in arts.items():
        assert [a["number"] for a in items] == [f"{ch}.{n}" for n in range(1, RCEP_ARTICLES[ch] + 1)]
    assert [a["title"] for a in arts[12]] == RCEP_12
    ecom = {a["number"]: a for a in arts[12]}
    assert ecom["12.15"]["paragraphs"][1]["text"].startswith("A Party shall not prevent cross-border transfer")
    assert ecom["12.3"]["notes"][0].startswith("[3] For greater certainty")
    annexes = [a["number"] for items in _units(out, "annexes").values() for a in items]
    assert annexes == ["3-A", "3-B", "4-A", "7-A", "8-A", "8-B", "8-C", "10-A", "10-B", "11-A", "11-B",
                       "13-A", "13-B", "13-C", "13-D", "16-A", "18-A"]
    load_agreement(out)
    assert seconds < 180, f"RCEP import took {seconds:.0f}s"


@pytest.mark.skipif(not JSI.is_file(), reason="../shared/sources/extras/wto_jsi_ecommerce is not present")
def test_an_agreement_numbered_straight_through_goes_into_one_chapter(tmp_path: Path) -> None:
    out, _, _ = _import(tmp_path, str(JSI), "--id", "wto-ecom", "--name", "Agreement on Electronic Commerce",
                        "--flat-chapter", "JSI")
    data = yaml.safe_load((out / "jsi.yaml").read_text(encoding="utf-8"))
    assert [a["number"] for a in data["articles"]] == [f"JSI.{n}" for n in range(1, 39)]
    assert data["articles"][0]["title"] == "Scope" and data["annexes"][0]["number"] == "JSI-A"
    load_agreement(out)
