"""`rulealign import` on small hand-written fixtures (invented texts): every format, the numbering
map, plans, and the error cases. These run everywhere; test_import_sources.py runs the real texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from checker.cli import cli
from checker.corpus import load_agreement, load_plan
from checker.importers import import_agreement
from checker.importers.cli import import_group
from checker.importers.plan import parse_plan, roman_number, zh_number
from checker.importers.textutil import fix_title, join_lines, mark_glued_refs

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "import"
MD = FIX / "pilot-md"
SIGNED = FIX / "pilot-signed.xml"


def run(*argv: str):
    return CliRunner().invoke(import_group, [str(a) for a in argv], catch_exceptions=False)


def chapter(out: Path, n: int) -> dict:
    return yaml.safe_load((out / f"ch{n:02d}.yaml").read_text(encoding="utf-8"))


def articles(out: Path, n: int) -> dict[str, dict]:
    return {a["number"]: a for a in chapter(out, n).get("articles", [])}


def make_pdf(path: Path, pages: list[list[tuple[float, float, float, bool, str]]]) -> Path:
    """A PDF with a real text layer: (x, y, font size, bold, text) per line, Helvetica."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    def font(base: str) -> DictionaryObject:
        return DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                                 NameObject("/BaseFont"): NameObject(base)})

    writer = PdfWriter()
    fonts = DictionaryObject({NameObject("/F1"): font("/Helvetica"), NameObject("/F2"): font("/Helvetica-Bold")})
    for items in pages:
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
        ops = []
        for x, y, size, bold, text in items:
            esc = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"BT /{'F2' if bold else 'F1'} {size} Tf {x} {y} Td ({esc}) Tj ET")
        stream = StreamObject()
        stream.set_data("\n".join(ops).encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


# --------------------------------------------------------------------------- Markdown


def test_markdown_directory_imports_chapters_articles_annexes_and_notes(tmp_path: Path) -> None:
    out = tmp_path / "pilot"
    res = run("agreement", MD, "--id", "pilot", "--name", "Pilot Digital Accord", "--out", out)
    assert res.exit_code == 0, res.output
    assert "found 2 chapters, 7 articles, 2 annexes" in res.output
    assert sorted(p.name for p in out.iterdir()) == ["agreement.yaml", "ch01.yaml", "ch02.yaml"]
    ag = load_agreement(out)
    assert ag.id == "pilot" and len(ag.chapters) == 2
    ch1 = articles(out, 1)
    assert ch1["1.1"]["text"].startswith("In this Chapter")
    # footnotes are kept apart from the text, as notes, and the markers are gone
    assert ch1["1.1"]["notes"] == ["[1] A Member may pick several zones, each with a reform menu of its own."]
    assert "[[" not in ch1["1.1"]["text"] and "\u27e6" not in ch1["1.1"]["text"]
    assert ch1["1.2"]["title"] == "Objectives" and ch1["1.2"]["notes"][0].startswith("[2] Panels read")
    assert [p["label"] for p in ch1["1.2"]["paragraphs"]] == ["1", "2", "3"]
    annex = chapter(out, 1)["annexes"][0]
    assert (annex["number"], annex["title"]) == ("1-A", "Member-Specific Terms")
    # a word hyphenated at a line end is repaired; a Markdown link in a heading is only its text
    ch2 = articles(out, 2)
    assert "for its business, except" in ch2["2.1"]["paragraphs"][1]["text"]
    assert ch2["2.5"]["title"] == "Committee on Digital Matters"
    annex2 = chapter(out, 2)["annexes"][0]
    assert [p["label"] for p in annex2["paragraphs"]] == ["A.1", "A.2", "B.1"]


def test_irregular_numbers_are_numbered_on_with_warnings_not_a_crash(tmp_path: Path) -> None:
    out = tmp_path / "pilot"
    res = run("agreement", MD, "--id", "pilot", "--name", "Pilot", "--out", out)
    assert res.exit_code == 0
    assert "irregular number 2.1bis" in res.output and "2.1bis→2.2" in res.output
    assert "paragraph number 2 appears twice" in res.output  # 2.3 (now 2.4): the second "2." is 3
    assert "starts again at 1" in res.output  # the lost heading inside "Open Records"
    ch2 = articles(out, 2)
    assert list(ch2) == ["2.1", "2.2", "2.3", "2.4", "2.5"]
    assert ch2["2.2"]["title"] == "Storing Data at Home"
    assert [p["label"] for p in ch2["2.4"]["paragraphs"]] == ["1", "2", "3"]
    notes = yaml.safe_load((out / "agreement.yaml").read_text(encoding="utf-8"))["notes"]
    assert "Article 2.1bis of the source is numbered 2.2" in notes


def test_numbering_from_a_reference_pairs_by_title_and_recovers_lost_articles(tmp_path: Path) -> None:
    out = tmp_path / "pilot"
    res = run("agreement", MD, "--numbering-from", SIGNED, "--id", "pilot", "--name", "Pilot", "--out", out, "-v")
    assert res.exit_code == 0, res.output
    ch2 = articles(out, 2)
    titles = {n: a["title"] for n, a in ch2.items()}
    assert titles == {"2.1": "Moving Data Across Borders", "2.2": "Storing Data at Home", "2.3": "Platform Fairness",
                      "2.4": "Open Records", "2.5": "Contact Office for Records",
                      "2.6": "Cooperation on Cybersecurity", "2.7": "Committee on Digital Matters"}
    # "Open Records" and "Platform Fairness" swap places; the lost heading is split out of Open Records
    assert len(ch2["2.4"]["paragraphs"]) == 2
    assert ch2["2.5"]["paragraphs"][0]["text"].startswith("Each Member shall name a contact office")
    # an article the source lacks comes from the reference, with a warning
    assert ch2["2.6"]["text"].startswith("The Members shall work together")
    assert "Article 2.6 (Cooperation on Cybersecurity) is not in the source" in res.output
    assert "1 split out of another article" in res.output and "1 taken from the reference (2.6)" in res.output
    assert "Article 2.1bis of the source is Article 2.2" in res.output  # -v lists the mapping
    meta = yaml.safe_load((out / "agreement.yaml").read_text(encoding="utf-8"))
    assert meta["signed"] == "2099-05-01" and meta["parties"] == ["AAA", "BBB"]  # from the reference
    assert load_agreement(out).articles


# --------------------------------------------------------------------------- ToTA XML, plain text, PDF


def test_tota_xml_footnotes_glued_to_words_become_notes(tmp_path: Path) -> None:
    doc = import_agreement(SIGNED)
    assert [len(c.articles) for c in doc.chapters] == [2, 7]
    assert "skipped Preamble" in " ".join(doc.info)
    a11, a12 = doc.chapters[0].articles
    assert "trial reforms;" in a11.text and "reforms;1" not in a11.text
    assert a11.notes == ["[1] A Member may pick several zones, each with a reform menu of its own."]
    assert a12.title == "Objectives" and a12.notes[0].startswith("[2] Panels read")
    # "2. Every Member ..." after a single line break still opens paragraph 2
    assert [p.label for p in a12.paragraphs] == ["1", "2", "3"]


def test_plain_text_drops_page_furniture_and_repairs_hyphenation(tmp_path: Path) -> None:
    out = tmp_path / "sample"
    res = run("agreement", FIX / "services.txt", "--id", "sample", "--name", "Sample Services Accord", "--out", out)
    assert res.exit_code == 0, res.output
    ch1, ch2 = articles(out, 1), articles(out, 2)
    assert ch1["1.1"]["title"] == "Setting up a Services Area between the Members of this Accord"
    assert "under governmental authority; and" in ch1["1.2"]["text"]
    assert ch1["1.2"]["notes"] == ["[1] Services that a central bank supplies fall outside this definition."]
    text = json.dumps([chapter(out, 1), chapter(out, 2)])
    assert "consolidated text" not in text and "1-1" not in text and "2-2" not in text
    # a paragraph that goes on over a page break stays one paragraph
    assert [p["label"] for p in ch2["2.2"]["paragraphs"]] == ["1", "2", "3"]
    assert ch2["2.1"]["paragraphs"][1]["notes"] == ["[1] Subsidies here include grants, cheap loans and tax credits."]
    assert "no article numbered 2.3" in res.output  # a gap in the numbering is reported
    assert chapter(out, 2)["annexes"][0]["number"] == "2-A"  # "ANNEX 2A"


def test_pdf_headings_by_weight_footnotes_by_size_page_numbers_dropped(tmp_path: Path) -> None:
    body = "The Members shall publish their digital rules online in one place"
    pdf = make_pdf(tmp_path / "accord.pdf", [
        [(270, 40, 10, False, "1-1"), (250, 700, 12, True, "CHAPTER 1"), (220, 680, 12, True, "DIGITAL RULES"),
         (72, 640, 12, True, "Article 1.1: Publication of Rules on One Single Public"),
         (72, 626, 12, True, "Website"),
         (72, 600, 12, False, "1. " + body), (72, 586, 12, False, "and keep them up to date."),
         (225, 590, 7, False, "1"),
         (72, 560, 12, False, "2. Article 1.1 (Publication) applies to rules in force on the day"),
         (72, 546, 12, False, "this Accord takes effect."),
         (72, 100, 6, False, "1"), (78, 96, 9, False, "Rules include guidelines that bind officials.")],
        [(270, 40, 10, False, "1-2"),
         (72, 700, 12, True, "Article 1.2: Contact Points"),
         (72, 670, 12, False, "Each Member shall name a contact point for this Chapter.")],
    ])
    doc = import_agreement(pdf)
    (art1, art2) = doc.articles
    assert doc.chapters[0].title == "Digital Rules"
    assert art1.title == "Publication of Rules on One Single Public Website"
    assert [p.label for p in art1.paragraphs] == ["1", "2"]
    assert art1.paragraphs[0].text == body + " and keep them up to date."
    assert art1.paragraphs[0].notes == ["[1] Rules include guidelines that bind officials."]
    assert art1.paragraphs[1].text.startswith("Article 1.1 (Publication) applies")  # text, not a heading
    assert art2.text == "Each Member shall name a contact point for this Chapter."
    assert not any("1-2" in (u.text or "") for u in doc.articles)


def test_articles_numbered_straight_through_stay_in_their_chapters(tmp_path: Path) -> None:
    src = tmp_path / "weather.txt"
    src.write_text(
        "WEATHER DATA ACCORD\n\nCHAPTER 1\n\nGENERAL\n\nArticle 1\nPurpose\n\n"
        "This Accord sets out how the Members share weather data.\n\n"
        "Article 2: Terms\n\nIn this Accord, a station is a place that records the weather.\n\n"
        "CHAPTER 2\n\nDATA\n\nArticle 3: Sharing\n\n1. Each Member shall share hourly readings from its "
        "stations.\n\n2. A Member may hold back readings that touch on defence.\n\n"
        "Article 4: Formats\n\nThe Members shall agree on one file format.\n", encoding="utf-8")
    doc = import_agreement(src)
    assert [(c.number, c.title, [u.number for u in c.articles]) for c in doc.chapters] == [
        ("1", "General", ["1.1", "1.2"]), ("2", "Data", ["2.3", "2.4"])]
    assert doc.articles[0].title == "Purpose" and doc.articles[2].paragraphs[1].label == "2"
    assert not doc.warnings


def test_empty_and_repeated_articles_are_warned_about(tmp_path: Path) -> None:
    src = tmp_path / "ch03.md"
    src.write_text("# Chapter 3: Odds and Ends\n\n#### Article 3.1: Reserved\n\n#### Article 3.2: Notices\n\n"
                   "Notices go to the contact office.\n\n#### Article 3.2: Languages\n\n"
                   "Notices may be sent in any working language.\n", encoding="utf-8")
    out = tmp_path / "out"
    res = run("agreement", src, "--id", "odds", "--name", "Odds", "--out", out)
    assert res.exit_code == 0, res.output
    assert "Article 3.1 (Reserved) has no text in the source" in res.output
    assert "repeated number 3.2" in res.output and "3.2→3.3" in res.output
    arts = articles(out, 3)
    assert arts["3.1"]["text"] == "Reserved (no text in the source)"
    assert arts["3.3"]["title"] == "Languages"


# --------------------------------------------------------------------------- plans


def test_chinese_plan_splits_at_its_own_numbering_with_groups(tmp_path: Path) -> None:
    out = tmp_path / "demo.yaml"
    res = run("plan", FIX / "plan-zh.txt", "--id", "demo-zh", "--out", out)
    assert res.exit_code == 0, res.output
    plan = load_plan(out)
    assert plan.id == "demo-zh" and plan.title_zh == "示范区数字贸易规则试行工作方案"
    assert plan.document == "示范办〔2099〕7号" and plan.date == "2099-03-15"
    got = [(m.id, m.group, m.section) for m in plan.measures]
    assert got == [
        ("demo-zh-01", "推动数据便利流动", "数据出境便利"),
        ("demo-zh-02", "推动数据便利流动", "数据出境便利"),
        ("demo-zh-03", "推动数据便利流动", "个人信息保护"),
        ("demo-zh-04", "改善数字营商环境", "电子发票与无纸化贸易"),
        ("demo-zh-06", "改善数字营商环境", "电子发票与无纸化贸易"),
        ("demo-zh-g04", "改善数字营商环境", "网络消费纠纷化解"),  # a group with no numbered measures
    ]
    first = plan.measures[0]
    assert first.text_zh == "在示范区设立数据出境服务窗口，为企业提供一站式咨询。"  # wrapped line joined
    assert first.text is None
    assert "measure numbers jump from 4 to 6" in res.output
    assert "总体要求" in res.output and "组织实施" in res.output  # parts that hold no measures are named
    assert "found 4 parts, 4 groups, 6 measures" in res.output


def test_english_plan_and_all_parts(tmp_path: Path) -> None:
    plan = parse_plan((FIX / "plan-en.txt").read_text(encoding="utf-8"), "plan-en.txt")
    assert plan.lang == "en" and len(plan.measures) == 4
    assert [(m.group, m.section) for m in plan.measures][:3] == [
        ("Easing Data Flows", "Data services"), ("Easing Data Flows", "Data services"),
        ("Easing Data Flows", "Personal information")]
    assert plan.measures[3].section is None
    everything = parse_plan((FIX / "plan-zh.txt").read_text(encoding="utf-8"), "plan-zh.txt", all_parts=True)
    assert not everything.skipped_parts


def test_plan_numbering_problems_are_warned_about(tmp_path: Path) -> None:
    text = "一、第一部分\n（一）甲组\n1．甲一。\n2．甲二。\n2．甲二重号。\n（二）乙组\n1．乙一。\n3．乙三。\n"
    plan = parse_plan(text, "x.txt")
    assert [(m.number, m.section) for m in plan.measures] == [(1, "甲组"), (2, "甲组"), (2, "甲组"), (1, "乙组"),
                                                             (3, "乙组")]
    assert [str(w) for w in plan.warnings] == ["x.txt:5: measure number 2 appears twice (first at line 4)",
                                               "x.txt:8: measure numbers jump from 1 to 3"]
    src = tmp_path / "p.txt"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "p.yaml"
    assert run("plan", src, "--id", "p", "--out", out).exit_code == 0
    assert [m.id for m in load_plan(out).measures] == ["p-01", "p-02", "p-03", "p-04", "p-05"]  # not unique: positions


def test_numerals() -> None:
    assert [zh_number(x) for x in ("一", "十", "十二", "二十三", "一百零五")] == [1, 10, 12, 23, 105]
    assert [roman_number(x) for x in ("I", "iv", "IX", "XIV")] == [1, 4, 9, 14]


# --------------------------------------------------------------------------- the checker runs on imports


def test_check_runs_on_imported_rules_and_plan(tmp_path: Path) -> None:
    rules, plan = tmp_path / "pilot", tmp_path / "plan.yaml"
    assert run("agreement", MD, "--numbering-from", SIGNED, "--id", "pilot", "--name", "Pilot",
               "--out", rules).exit_code == 0
    assert run("plan", FIX / "plan-en.txt", "--id", "demo-en", "--out", plan).exit_code == 0
    runner = CliRunner()
    res = runner.invoke(cli, ["validate", str(rules), str(plan)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "9 articles" in res.output and "plan demo-en: 4 measures" in res.output
    # settings of their own (the repository's ledger names the shipped measures, not these)
    res = runner.invoke(cli, ["--config", str(ROOT / "tests" / "fixtures" / "pyproject.toml"),
                              "check", "--rules", str(rules), "--measures", str(plan), "--concepts",
                              str(ROOT / "rules" / "concepts.yaml"), "--out", str(tmp_path / "report")],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    result = json.loads((tmp_path / "report" / "result.json").read_text(encoding="utf-8"))
    assert {a["id"] for a in result["articles"]} >= {"pilot:2.5", "pilot:2.6", "pilot:annex-2-A"}


# --------------------------------------------------------------------------- errors and overwriting


def test_existing_output_is_not_overwritten_without_force(tmp_path: Path) -> None:
    out = tmp_path / "pilot"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    res = run("agreement", MD, "--id", "pilot", "--name", "Pilot", "--out", out)
    assert res.exit_code == 2
    assert "not empty; use --force" in res.output and not (out / "agreement.yaml").exists()
    # with --force it writes, and a chapter file left by an earlier, larger import goes away
    (out / "agreement.yaml").write_text("id: old\n", encoding="utf-8")
    (out / "ch09.yaml").write_text("chapter: 9\n", encoding="utf-8")
    res = run("agreement", MD, "--id", "pilot", "--name", "Pilot", "--out", out, "--force")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["agreement.yaml", "ch01.yaml", "ch02.yaml", "keep.txt"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "settings.yaml").write_text("a: 1\n", encoding="utf-8")
    res = run("agreement", MD, "--id", "pilot", "--name", "Pilot", "--out", other, "--force")
    assert res.exit_code == 2 and "not an imported corpus" in res.output
    plan = tmp_path / "plan.yaml"
    plan.write_text("x", encoding="utf-8")
    res = run("plan", FIX / "plan-zh.txt", "--id", "demo", "--out", plan)
    assert res.exit_code == 2 and "file exists; use --force" in res.output
    assert plan.read_text(encoding="utf-8") == "x"
    assert run("plan", FIX / "plan-zh.txt", "--id", "demo", "--out", plan, "--force").exit_code == 0


def test_pdf_without_text_layer_is_a_clear_error(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(612, 792)
    scan = tmp_path / "scan.pdf"
    with open(scan, "wb") as fh:
        writer.write(fh)
    res = run("agreement", scan, "--id", "x", "--name", "X", "--out", tmp_path / "out")
    assert res.exit_code == 2
    assert "no text layer" in res.output and "OCR" in res.output
    assert "Traceback" not in res.output and not (tmp_path / "out").exists()


@pytest.mark.parametrize("name,content,message", [
    ("missing.md", None, "no such file or directory"),
    ("latin1.txt", "Article 1.1: Caf\xe9\n".encode("latin-1"), "not UTF-8"),
    ("broken.pdf", b"%PDF-1.4\n%garbage that is no PDF at all\n", "not a readable PDF"),
    ("renamed.pdf", b"Article 1.1: Scope\n", "not a PDF file"),
    ("bad.xml", b"<?xml version='1.0'?>\n<treaty><body>\n<chapter></body>", "malformed XML"),
    ("other.xml", b"<?xml version='1.0'?>\n<html><body/></html>", "not a ToTA"),
    ("blob.bin", b"\x00\x01\x02\x03" * 100, "binary file"),
    ("notes.txt", b"Some notes with no headings at all.\n", "no articles found"),
])
def test_unreadable_sources_exit_2_with_the_reason(tmp_path: Path, name: str, content: bytes | None,
                                                   message: str) -> None:
    src = tmp_path / name
    if content is not None:
        src.write_bytes(content)
    res = run("agreement", src, "--id", "x", "--name", "X", "--out", tmp_path / "out")
    assert res.exit_code == 2, res.output
    assert message in res.output and str(src) in res.output
    assert "Traceback" not in res.output


def test_bad_options_exit_2(tmp_path: Path) -> None:
    assert run("agreement", MD, "--id", "Bad Id", "--name", "X", "--out", tmp_path / "o").exit_code == 2
    res = run("agreement", MD, "--id", "x", "--name", "X", "--out", tmp_path / "o", "--signed", "May 2099")
    assert res.exit_code == 2 and "not a date" in res.output
    prose = tmp_path / "prose.txt"
    prose.write_text("这份文件只有一段话，没有任何编号。\n", encoding="utf-8")
    res = run("plan", prose, "--id", "x", "--out", tmp_path / "p.yaml")
    assert res.exit_code == 2 and "no measures found" in res.output


# --------------------------------------------------------------------------- text helpers


def test_join_lines_repairs_soft_hyphens_only() -> None:
    vocab = {"regulation", "non", "discriminatory"}
    assert join_lines(["the regu-", "lation applies"], vocab) == "the regulation applies"
    assert join_lines(["non-", "discriminatory treatment"], vocab) == "non-discriminatory treatment"
    assert join_lines(["Non-", "Conforming Measures"], vocab) == "Non-Conforming Measures"
    assert join_lines(["a\u00ad", "b  c"]) == "a b c"


def test_titles_and_glued_references() -> None:
    assert fix_title("INITIAL PROVISIONS AND GENERAL DEFINITIONS") == "Initial Provisions and General Definitions"
    assert fix_title("Return And Reallocation Of Trqs") == "Return and Reallocation of TRQs"
    assert fix_title("Scope and General Provisions") == "Scope and General Provisions"
    marked = mark_glued_refs("National Treatment14 under GATT 1994 and Article 9.4;2, 3", {"14", "2", "3", "4"})
    assert marked.count("\u27e6fn:") == 3 and "GATT 1994" in marked and "Article 9.4" in marked
