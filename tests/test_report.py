"""The HTML report: content on the fixtures and the shipped corpora, escaping, CSP, old and
hand-made results, the `report` command and the files `rulealign check` writes."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURE_THRESHOLD, FIXTURE_WEIGHTS

from checker.config import Config, load_config
from checker.errors import InputError
from checker.highlight import lower_same_length, merge, substring_spans
from checker.pipeline import run
from checker.render import render_html, render_json, render_single, render_site, write_outputs
from checker.render.cli import report
from checker.render.report import build_view, parse_result, segments
from checker.result import build_result

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
TEMPLATES = ROOT / "checker" / "render" / "templates"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '<img src=x onerror="document.title=\'pwned\'">'


def fixture_config() -> Config:
    measures = FIXTURES / "measures"
    return Config(weights=FIXTURE_WEIGHTS, threshold=FIXTURE_THRESHOLD, rules=(FIXTURES / "rules" / "mdta",),
                  measures=(str(measures / "pilot.yaml"), str(measures / "zh-only.yaml"),
                            str(measures / "patent.yaml")),
                  concepts=ROOT / "rules" / "concepts.yaml")


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return build_result(run(fixture_config()))


@pytest.fixture(scope="module")
def site(result: dict[str, Any]) -> dict[str, str]:
    return render_site(result)


def text_of(html: str) -> str:
    """Visible text, roughly: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def block(html: str, element_id: str) -> str:
    """The element with this id, up to its closing tag (no nesting of the same tag inside)."""
    m = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"', html)
    assert m, f"no element with id {element_id!r}"
    end = html.index(f"</{m.group(1)}>", m.end())
    return html[m.start():end]


def link_score(result: dict[str, Any], measure: str, article: str) -> str:
    m = next(m for m in result["measures"] if m["id"] == measure)
    return f"{next(link for link in m['links'] if link['article'] == article)['score']:.2f}"


def marks(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", html, re.S)]


# --------------------------------------------------------------------------- highlight spans

def test_highlight_spans_of_a_known_link(result: dict[str, Any]) -> None:
    m = next(m for m in result["measures"] if m["id"] == "p-window")
    link = m["links"][0]
    assert link["article"] == "mdta:1.4"
    clause = next(c for a in result["articles"] for c in a["clauses"] if c["id"] == link["clause"])
    hl = link["highlight"]
    assert set(hl) == {"measure", "measure_zh", "clause", "title"}
    words = [m["text"][s:e] for s, e in hl["measure"]]
    assert any("single window" in w for w in words) and "trade documents" in words
    zh = [m["text_zh"][s:e] for s, e in hl["measure_zh"]]
    assert any("单一窗口" in w for w in zh) and "贸易单证" in zh
    assert "single window" in [clause["text"][s:e] for s, e in hl["clause"]]
    # Spans are sorted, disjoint and inside the text.
    for key, text in (("measure", m["text"]), ("measure_zh", m["text_zh"]), ("clause", clause["text"])):
        flat = [x for span in hl[key] for x in span]
        assert flat == sorted(flat) and all(0 <= x <= len(text) for x in flat), key


def test_chinese_only_measure_gets_chinese_marks_only(result: dict[str, Any]) -> None:
    m = next(m for m in result["measures"] if m["id"] == "z-data")
    hl = m["links"][0]["highlight"]
    assert hl["measure"] == [] and [m["text_zh"][s:e] for s, e in hl["measure_zh"]] == ["数据跨境"]


def test_candidates_carry_evidence_and_the_first_ones_highlights(result: dict[str, Any]) -> None:
    from checker.highlight import SHOWN

    for m in result["measures"]:
        for rank, c in enumerate(m["candidates"]):
            assert {"concepts", "concept_words", "terms"} <= set(c)
            assert ("highlight" in c) == (rank < SHOWN)


def test_span_helpers() -> None:
    assert merge([[5, 9], [0, 3], [2, 4]]) == [[0, 4], [5, 9]]
    text = "cross-border data   flow"
    assert merge([[0, 5], [6, 12], [13, 17], [20, 24]], text) == [[0, 17], [20, 24]]
    assert substring_spans("数据跨境数据", ["数据", "跨境"]) == [[0, 6]]
    assert lower_same_length("İstanbul’s") == "İstanbul's".replace("İ", "İ")  # length kept
    assert len(lower_same_length("İİ")) == 2
    assert segments("abcdef", [[4, 99], [1, 2], [1, 3], ["x", 1], [5, 4]]) == [
        ("a", False), ("bc", True), ("d", False), ("ef", True)]
    assert segments(None, [[0, 1]]) == [] and segments("ab", None) == [("ab", False)]


# --------------------------------------------------------------------------- the pages, on the fixtures

def test_site_pages_and_overview_counts(site: dict[str, str], result: dict[str, Any]) -> None:
    assert list(site) == ["index.html", "gaps.html", "measures.html", "articles.html"]
    index = site["index.html"]
    assert render_html(result) == index
    plans = text_of(block(index, "plan-pilot"))
    assert "Test Pilot Plan" in plans and "测试试点方案" in plans and "TEST〔2024〕1号" in plans
    assert re.search(r"\b4 4 3 .*75% .*3 measures .*75% of the plan met", plans)
    figures = text_of(index[index.index('class="figures"'):index.index('id="plans"')])
    assert "4 of 7 measures aligned (57%)" in figures
    assert "4 of 8 articles covered" in figures
    assert "2 binding obligations no measure covers" in figures
    assert "1 measures docking only with suspended provisions" in figures
    # Coverage bars per chapter and the heatmap cell of a known link.
    cov = text_of(block(index, "coverage-mdta").split("</h3>")[0] + index[index.index('id="coverage-mdta"'):][:4000])
    assert "4 of 8 articles covered" in cov and "3 of 5 binding obligations covered" in cov
    heat = block(index, "heatmap") + index[index.index('class="heatmap"'):]
    assert f'title="p-data × Chapter 1: mdta:1.2 {link_score(result, "p-data", "mdta:1.2")}, link"' in heat
    pt = link_score(result, "pt-term", "mdta:annex-2-A")
    assert f'title="pt-term × Chapter 2: mdta:annex-2-A {pt}, link to a suspended provision"' in heat


def test_measure_page_shows_a_known_link_with_its_marked_words(site: dict[str, str]) -> None:
    html = site["measures.html"]
    card = block(html, "m-p-window")
    t = text_of(card)
    for fact in ("Test Pilot Plan", "customs", "https://example.org/pilot#2", "tests/fixtures/measures/pilot.yaml:",
                 "Link the international trade single window", "推动国际贸易单一窗口与伙伴互联"):
        assert fact in t, fact
    assert '<a href="https://example.org/pilot#2" rel="noopener noreferrer">' in card
    why = block(html, "w-p-window-mdta:1.4")
    assert "mdta:1.4" in why and "Paperless Trading" in why and "score" in text_of(why)
    got = marks(why)
    for word in ("single window", "trade documents", "单一窗口", "贸易单证"):
        assert any(word in w for w in got), word
    assert "Single window" in text_of(why)  # the shared concept, by its label
    assert re.search(r"Score 0\.\d\d = lexical 0\.\d{3} \+ concept 0\.\d{3} \+ fuzzy 0\.\d{3}", text_of(why))
    assert "Not reviewed yet." in text_of(why)
    # The candidates table: each signal and its part of the score.
    assert re.search(r"<title>score 0\.\d\d = lexical 0\.\d{3} \+ concept 0\.\d{3} \+ fuzzy 0\.\d{3}</title>", card)


def test_chinese_only_measure_is_scored_on_concepts_alone(site: dict[str, str]) -> None:
    card = block(site["measures.html"], "m-z-data")
    assert "No English text." in card and "n/a" in card
    title = re.search(r"<title>(score [^<]*)</title>", card).group(1)
    assert "concept" in title and "lexical" not in title and "fuzzy" not in title
    assert "数据跨境" in marks(card)


def test_gap_report_orders_binding_first_and_shows_suspension(site: dict[str, str], result: dict[str, Any]) -> None:
    html = site["gaps.html"]
    pt = link_score(result, "pt-term", "mdta:annex-2-A")
    binding = block(html, "gaps-binding-table")
    assert re.findall(r'href="articles\.html#a-(mdta:[^"]+)"', binding) == ["mdta:1.3", "mdta:2.2"]
    assert "partly suspended" in block(html, "gaps-binding-table")
    assert html.index('id="gaps-binding"') < html.index('id="gaps-best"') < html.index('id="gaps-all"')
    susp = text_of(block(html, "gaps-suspended-table"))
    assert "mdta:annex-2-A Patent Term Adjustment suspended" in susp and f"pt-term {pt} only suspended" in susp
    assert "¶2: second sentence (Annex item 1)" in susp
    flagged = text_of(block(html, "gaps-only-suspended") + html[html.index('id="gaps-only-suspended"'):][:600])
    assert f"pt-term (Patent pilot (fixture)): mdta:annex-2-A Patent Term Adjustment ({pt})" in flagged
    # Every article by agreement and chapter, covered or not, and by which measures.
    rows = {m.group(1): m.group(0)
            for m in re.finditer(r'<tr data-item="gaps" data-key="g-([^"]+)".*?</tr>', html, re.S)}
    assert len(rows) == 8
    assert 'data-coverage="covered"' in rows["mdta:1.2"]
    assert "m-p-data" in rows["mdta:1.2"] and "m-z-data" in rows["mdta:1.2"]
    assert 'data-coverage="uncovered"' in rows["mdta:1.3"] and "row-uncovered-binding" in rows["mdta:1.3"]
    assert 'data-coverage="suspended"' in rows["mdta:annex-2-A"] and "⚑" in rows["mdta:annex-2-A"]


def test_article_page_shows_paragraphs_force_suspension_and_measures(site: dict[str, str],
                                                                    result: dict[str, Any]) -> None:
    html = site["articles.html"]
    art = block(html, "a-mdta:2.2")
    t = text_of(art)
    assert "mdta:2.2 Administration of Measures binding partly suspended" in t
    assert 'id="c-mdta:2.2.2"' in art and "suspended in part second sentence (CPTPP Annex, item 1)" in t
    assert "not covered" in t
    covered = text_of(block(html, "a-mdta:1.4"))
    assert f"p-window (pilot) score {link_score(result, 'p-window', 'mdta:1.4')}, evidence ¶" in covered
    whole = block(html, "a-mdta:annex-2-A")
    assert "not counted as a gap" in whole and "docks only with suspended provisions" in whole


def test_measure_filters_carry_plan_sector_agreement_aligned_status(site: dict[str, str]) -> None:
    html = site["measures.html"]
    row = re.search(r'<tr data-item="measures" data-key="m-p-data"[^>]*>', html).group(0)
    for attr in ('data-plan="pilot"', 'data-sector="data"', 'data-agreement="mdta"', 'data-aligned="yes"',
                 'data-status="suggested"'):
        assert attr in row, attr
    park = re.search(r'<tr data-item="measures" data-key="m-p-park"[^>]*>', html).group(0)
    assert 'data-agreement="none"' in park and 'data-aligned="no"' in park
    term = re.search(r'<tr data-item="measures" data-key="m-pt-term"[^>]*>', html).group(0)
    assert 'data-aligned="no only-suspended"' in term
    form = html[html.index('<form class="filters" data-filter="measures"'):html.index("</form>")]
    assert " hidden " in form  # shown by the script: no dead controls with JavaScript off
    for name in ("q", "plan", "sector", "agreement", "aligned", "status"):
        assert f'name="{name}"' in form


# --------------------------------------------------------------------------- safety

def test_templates_never_mark_text_safe() -> None:
    for path in TEMPLATES.glob("*.j2"):
        src = path.read_text(encoding="utf-8")
        assert "|safe" not in src.replace(" ", ""), path.name
        assert "autoescape false" not in src, path.name
        assert 'style="' not in src, path.name  # the CSP allows no inline style attributes


def csp_of(html: str) -> str:
    return unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html).group(1))


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


@pytest.mark.parametrize("page", ["index.html", "gaps.html", "measures.html", "articles.html"])
def test_csp_allows_exactly_the_inline_style_and_script(site: dict[str, str], page: str) -> None:
    html = site[page]
    csp = csp_of(html)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(scripts) == 1 and len(styles) == 1
    assert f"script-src {sha(scripts[0])};" in csp and f"style-src {sha(styles[0])};" in csp
    assert csp.startswith("default-src 'none';") and "unsafe-inline" not in csp
    # Nothing is fetched: no src, no stylesheet link, no url() or @import; no inline style attribute.
    assert not re.search(r"\bsrc=", html) and "<link" not in html
    assert "url(" not in styles[0] and "@import" not in styles[0] and ' style="' not in html


def hostile(result: dict[str, Any]) -> dict[str, Any]:
    """The fixture result with markup in every kind of corpus text a page shows."""
    r = copy.deepcopy(result)
    m = next(m for m in r["measures"] if m["id"] == "p-window")
    m["text"] = f"{XSS_SCRIPT} Link the single window {XSS_IMG} & <b>bold</b>"
    m["text_zh"] = f"单一窗口{XSS_SCRIPT}"
    m["source"] = "javascript:alert(1)"
    m["group"] = XSS_IMG
    link = m["links"][0]
    link["highlight"] = {"measure": [[0, 8], [28, 41]], "measure_zh": [[0, 4]], "clause": [], "title": []}
    link["terms"] = [XSS_SCRIPT]
    art = next(a for a in r["articles"] if a["id"] == "mdta:1.4")
    art["title"] = f"Paperless {XSS_IMG}"
    art["clauses"][0]["text"] = f"{XSS_SCRIPT}{XSS_IMG}"
    r["plans"][0]["title"] = f"Plan {XSS_SCRIPT}"
    return r


def test_markup_in_corpus_text_is_escaped_everywhere(result: dict[str, Any]) -> None:
    pages = {**render_site(hostile(result)), "report.html": render_single(hostile(result))}
    for name, html in pages.items():
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html, name
        assert 'href="javascript:' not in html, name
        assert html.count("<script>") == 1, name
    measures = pages["measures.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in measures
    assert "&lt;img src=x onerror=&#34;document.title=&#39;pwned&#39;&#34;&gt;" in measures
    why = block(measures, "w-p-window-mdta:1.4")
    assert "<mark>&lt;script&gt;</mark>" in why  # a highlight cutting through markup stays text
    assert "javascript:alert(1)" in text_of(block(measures, "m-p-window"))  # shown, not linked


# --------------------------------------------------------------------------- results of other ages and shapes

def test_review_changes_and_counterparts_are_rendered(result: dict[str, Any]) -> None:
    r = copy.deepcopy(result)
    m = next(m for m in r["measures"] if m["id"] == "p-data")
    m["links"][0]["status"] = "accepted"
    m["links"][0]["review"] = {"status": "accepted", "by": "Li Wei", "when": "2026-11-20", "note": "clear match",
                               "suspect": True, "changed": ["article"], "score_at_review": 0.52}
    m["suspects"] = [{"article": "mdta:1.2", "clause": m["links"][0]["clause"], "score": 0.49}]
    fin = next(m for m in r["measures"] if m["id"] == "p-finance")
    fin["candidates"][1]["review"] = {"status": "rejected", "by": "Zhang San", "when": "2026-11-21", "note": None}
    art = next(a for a in r["articles"] if a["id"] == "mdta:1.4")
    art["counterparts"] = [{"article": "mdta:1.2", "score": 0.8}, {"article": "depa:4.3", "score": 0.5}]
    r["changes"] = {"baseline": "reports/baseline.json", "fail_on": ["no-longer-aligned", "suspect"], "items": [
        {"class": "newly aligned", "measure": "p-window", "article": "mdta:1.4", "message": "p-window: newly aligned",
         "before": None, "after": 0.43},
        {"class": "no longer aligned", "measure": "p-park", "article": None, "message": "p-park: no longer aligned",
         "before": 0.41, "after": None, "failing": True},
        {"class": "suspect", "measure": "p-data", "article": "mdta:1.2", "message": "p-data → mdta:1.2: suspect",
         "before": 0.52, "after": 0.49, "failing": True},
        {"class": "score dropped", "measure": "p-finance", "article": "mdta:2.1", "message": "score dropped",
         "before": 0.8, "after": 0.66},
        {"class": "measure removed", "measure": "gone-1", "article": None, "message": "gone-1: measure removed",
         "before": {"aligned": True}, "after": None},
    ]}
    site = render_site(r)
    assert list(site) == ["index.html", "gaps.html", "measures.html", "articles.html", "changes.html"]
    changes = site["changes.html"]
    t = text_of(changes)
    assert "Compared with the baseline reports/baseline.json" in t
    assert changes.index('id="changes-no-longer-aligned"') < changes.index('id="changes-suspect"') \
        < changes.index('id="changes-score-dropped"') < changes.index('id="changes-newly-aligned"')
    assert "score dropped 0.80 0.66" in t and "gone-1 (not in this run)" in t and '{"aligned": true}' in t
    assert "5 changes since the baseline, 2 failing" in text_of(site["index.html"])
    card = block(site["measures.html"], "m-p-data")
    ct = text_of(card)
    assert "accepted by Li Wei on 2026-11-20 (score then 0.52): clear match" in ct
    assert "suspect the article text changed since this review" in ct
    row = re.search(r'<tr data-item="measures" data-key="m-p-data"[^>]*>', site["measures.html"]).group(0)
    assert 'data-status="accepted suspect"' in row
    assert "rejected" in text_of(block(site["measures.html"], "m-p-finance"))
    arts = text_of(block(site["articles.html"], "a-mdta:1.4"))
    assert "Counterparts in the other agreement: mdta:1.2 Cross-Border Transfer" in arts and "depa:4.3 (0.50)" in arts
    assert build_view(r)["filters"]["statuses"] == ["suggested", "accepted", "rejected", "suspect"]
    form = site["measures.html"][site["measures.html"].index('name="status"'):]
    assert form.index('value="accepted"') < form.index('value="rejected"') < form.index("</select>")


def test_an_older_leaner_result_still_renders(result: dict[str, Any]) -> None:
    r = copy.deepcopy(result)
    for key in ("changes", "concepts", "config", "tool", "timings", "generated"):
        r.pop(key, None)
    for m in r["measures"]:
        m.pop("suspects", None)
        m.pop("only_suspended", None)
        for item in (*m["links"], *m["candidates"]):
            for key in ("highlight", "review", "status", "concept_words", "terms", "concepts"):
                item.pop(key, None)
    for a in r["articles"]:
        a.pop("counterparts", None)
        a.pop("covered_by")
    for ag in r["agreements"]:
        for ch in ag["chapters"]:
            for key in ("covered", "binding", "binding_covered"):
                ch.pop(key)
    site = render_site(r)
    assert "4 of 8 articles covered" in text_of(site["index.html"])
    assert "<mark>" not in block(site["measures.html"], "m-p-window") and "m-pt-term" in site["gaps.html"]


# --------------------------------------------------------------------------- writing the files

def test_write_outputs_writes_the_site_and_drops_a_stale_changes_page(result: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "changes.html").write_text("old", encoding="utf-8")
    written = write_outputs(result, tmp_path)
    assert [p.name for p in written] == ["index.html", "gaps.html", "measures.html", "articles.html",
                                         "result.json", "matrix.csv"]
    assert not (tmp_path / "changes.html").exists()
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<a href="result.json">result.json</a>' in index and "Alignment overview" in index


def test_single_file_has_every_page_and_only_in_file_links(result: dict[str, Any]) -> None:
    html = render_single(result)
    for page in ("page-index", "page-gaps", "page-measures", "page-articles"):
        assert f'id="{page}"' in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert all(h.startswith(("#", "https://")) for h in hrefs), [h for h in hrefs if not h.startswith("#")][:5]
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1][:5]
    targets = {h[1:] for h in hrefs if h.startswith("#")}
    assert targets <= set(ids), sorted(targets - set(ids))[:5]


def test_site_links_point_at_existing_pages_and_anchors(site: dict[str, str]) -> None:
    ids = {name: set(re.findall(r'\bid="([^"]+)"', html)) for name, html in site.items()}
    for name, html in site.items():
        for href in re.findall(r'href="([^"#]*)(?:#([^"]*))?"', html):
            page, frag = href
            if page.startswith("https://") or page in ("result.json", "matrix.csv"):
                continue
            target = page or name
            assert target in site, (name, href)
            if frag:
                assert unescape(frag) in ids[target], (name, href)


def test_report_command_renders_a_saved_result(result: dict[str, Any], tmp_path: Path) -> None:
    saved = tmp_path / "result.json"
    saved.write_text(render_json(result), encoding="utf-8")
    res = CliRunner().invoke(report, [str(saved), "--out", str(tmp_path / "site")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == [
        "articles.html", "gaps.html", "index.html", "measures.html"]
    assert (tmp_path / "site" / "measures.html").read_text(encoding="utf-8") == render_site(result)["measures.html"]
    res = CliRunner().invoke(report, [str(saved), "--single-file", "--out", str(tmp_path / "mail.html")])
    assert res.exit_code == 0 and (tmp_path / "mail.html").read_text(encoding="utf-8") == render_single(result)
    res = CliRunner().invoke(report, [str(saved), "--single-file", "-q"])
    assert res.exit_code == 0 and res.output == "" and (tmp_path / "report.html").is_file()
    res = CliRunner().invoke(report, [str(saved)])  # default: next to the result, linking to it
    assert res.exit_code == 0 and '<a href="result.json">' in (tmp_path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    ('{"schema": "rulealign.baseline/1"}', "not a rulealign result: schema is 'rulealign.baseline/1'"),
    ("[1, 2]", "not a rulealign result"),
    ('{"schema": "rulealign.result/1", "plans": [], "measures": {}, "articles": [], "agreements": []}',
     "'measures' must be a list"),
    ('{"schema": "rulealign.result/1", "plans": [], "measures": [{"plan": "x"}], "articles": [], "agreements": []}',
     "measures[0]: missing or bad 'id'"),
])
def test_report_command_rejects_bad_results_with_exit_2(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "result.json"
    bad.write_text(content, encoding="utf-8")
    res = CliRunner().invoke(report, [str(bad), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    assert f"error: {bad}" in res.output and message in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_report_command_missing_or_unreadable_file_exits_2(tmp_path: Path) -> None:
    res = CliRunner().invoke(report, [str(tmp_path / "nope.json")])
    assert res.exit_code == 2 and "no such file" in res.output
    (tmp_path / "latin1.json").write_bytes(b'{"x": "\xe9"}')
    res = CliRunner().invoke(report, [str(tmp_path / "latin1.json")])
    assert res.exit_code == 2 and "not UTF-8" in res.output


def test_parse_result_accepts_what_render_json_writes(result: dict[str, Any]) -> None:
    assert parse_result(render_json(result), "x") == json.loads(render_json(result))
    with pytest.raises(InputError):
        parse_result('{"schema": "rulealign.result/2"}', "x")


# --------------------------------------------------------------------------- the shipped corpora

@pytest.fixture(scope="module")
def shipped() -> tuple[dict[str, Any], dict[str, str]]:
    cfg = load_config(ROOT / "pyproject.toml")
    try:
        r = build_result(run(cfg))
    except InputError:  # the DEPA files may be mid-edit: the CPTPP alone still makes a report
        r = build_result(run(cfg.with_overrides(rules=(ROOT / "rules" / "cptpp",))))
    return r, render_site(r)


def test_shipped_report_counts_match_the_result(shipped: tuple[dict[str, Any], dict[str, str]]) -> None:
    r, site = shipped
    s = r["summary"]
    figures = text_of(site["index.html"])
    assert f"{s['aligned']} of {s['measures']} measures aligned" in figures
    assert f"{s['covered_articles']} of {s['articles']} articles covered" in figures
    bj = next(p for p in r["plans"] if p["id"] == "beijing-2023")
    row = text_of(block(site["index.html"], "plan-beijing-2023"))
    assert f"{bj['listed']} 170+ {bj['aligned']}" in row and "70 measures 40% of the plan" in row
    assert "not assessable" in row and "declared measures are not listed" in row
    live = [a for a in r["articles"] if a["suspended"] != "whole"]
    uncovered = [a["id"] for a in live if not a["covered_by"] and a["force"] == "binding"]
    listed = re.findall(r'href="articles\.html#a-([^"]+)"', block(site["gaps.html"], "gaps-binding-table"))
    assert sorted(listed) == sorted(uncovered) and len(uncovered) > 100
    assert f"Binding obligations no measure covers ({len(uncovered)})" in site["gaps.html"]
    # A binding obligation no pilot measure touches: investor-state arbitration.
    assert "cptpp:28.3" in listed or "cptpp:9.19" in listed
    n_rows = len(re.findall(r'<tr data-item="gaps"', site["gaps.html"]))
    assert n_rows == s["articles"] == site["articles.html"].count('<article class="card art"')
    assert site["measures.html"].count('<article class="card measure') == s["measures"] == 85


def test_shipped_report_shows_suspended_provisions(shipped: tuple[dict[str, Any], dict[str, str]]) -> None:
    _, site = shipped
    susp = text_of(block(site["gaps.html"], "gaps-suspended-table"))
    assert "cptpp:annex-9-L Investment Agreements suspended" in susp
    assert "cptpp:5.7 " in susp and "partly suspended" in susp
    art = text_of(block(site["articles.html"], "a-cptpp:18.46"))
    assert "suspended" in art and "not counted as a gap" in art
    assert "cptpp:18.46" not in block(site["gaps.html"], "gaps-binding-table")


def test_shipped_report_known_link_and_marked_words(shipped: tuple[dict[str, Any], dict[str, str]]) -> None:
    r, site = shipped
    m = next(m for m in r["measures"] if m["id"] == "bj2023-18")  # personal information sent abroad
    link = next(link for link in m["links"] if link["article"] in ("depa:4.2", "cptpp:14.11", "depa:4.3"))
    why = block(site["measures.html"], f"w-bj2023-18-{link['article']}")
    got = marks(why)
    assert "personal information" in got and any("数据" in w for w in got)
    assert any(w.lower().startswith("cross-border") for w in got)


def test_shipped_report_size_stays_reasonable(shipped: tuple[dict[str, Any], dict[str, str]]) -> None:
    _, site = shipped
    total = sum(len(html.encode("utf-8")) for html in site.values())
    assert total < 8_000_000, total
    assert len(site["index.html"].encode("utf-8")) < 400_000


@pytest.mark.parametrize(("changes", "page"), [
    (None, False),
    ({"baseline": None, "fail_on": [], "items": []}, False),  # nothing compared, nothing found
    ({"baseline": None, "items": [{"class": "suspect", "measure": "p-data", "article": "mdta:1.2",
                                   "message": "suspect", "failing": True}]}, True),
    ({"baseline": "reports/baseline.json", "items": []}, True),  # compared: "no changes" is news
])
def test_changes_page_only_when_there_is_something_to_say(result: dict[str, Any], changes: Any, page: bool) -> None:
    r = copy.deepcopy(result)
    if changes is not None:
        r["changes"] = changes
    site = render_site(r)
    assert ("changes.html" in site) == page
    assert ('href="changes.html"' in site["index.html"]) == page
    if changes and changes["baseline"] and not changes["items"]:
        assert "No changes: the run matches the baseline." in site["changes.html"]


def test_flow_joins_wrapped_lines_but_keeps_list_items() -> None:
    from checker.render.report import flow

    text = "shall, consistently\nwith GATT:\n(a) one; and\n  (ii) two\n1. three"
    assert flow(text) == "shall, consistently with GATT:\n(a) one; and\n  (ii) two\n1. three"
    assert len(flow(text)) == len(text)  # highlight offsets stay valid


def test_shipped_report_explains_homes_and_out_of_scope_markers(shipped: tuple[dict[str, Any], dict[str, str]]) -> None:
    r, site = shipped
    # Overseas insurers setting up an asset-management company: national treatment in financial
    # services, through the implied concept whose home is Article 11.3.
    m = next(m for m in r["measures"] if m["id"] == "bj2023-15")
    assert m["aligned"] and m["links"][0]["article"] == "cptpp:11.3"
    assert "financial-services-opening" in m["links"][0]["homes"]
    why = text_of(block(site["measures.html"], "w-bj2023-15-cptpp:11.3"))
    assert "home of the measure's concepts" in why and "Opening financial services" in why
    # Grants and subsidies for maker spaces: the markers are in the JSON and on the measure's card,
    # and the measure is not aligned.
    grants = next(m for m in r["measures"] if m["id"] == "bj2020-02")
    assert not grants["aligned"] and "support-funding" in grants["outside"]
    card = text_of(block(site["measures.html"], "m-bj2020-02"))
    assert "Outside the agreements:" in card and "Subsidies, grants, rewards and support funds" in card
