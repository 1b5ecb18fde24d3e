"""The report in a real browser (headless Chromium through Playwright, from file://, no network):
filters and sorting work, markup in corpus text runs nothing, the pages read without JavaScript
and print without their controls.

Skipped when Chromium (Debian's `chromium`; `.ci/run` installs it) or the playwright package is
missing. Playwright drives the system browser: `playwright install` is never needed.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_report import FIXTURES, XSS_IMG, XSS_SCRIPT, hostile  # the tests directory is on sys.path

from checker.render import render_single, render_site

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

CHROMIUM = os.environ.get("RULEALIGN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A frozen result of the fixture corpora (tests/fixtures/report/README.md): what the browser
    # is asked about does not move when the lexicon or the scoring is tuned.
    result = hostile(json.loads((FIXTURES / "report" / "result.json").read_text(encoding="utf-8")))
    out = tmp_path_factory.mktemp("report")
    for name, html in render_site(result).items():
        (out / name).write_text(html, encoding="utf-8")
    (out / "report.html").write_text(render_single(result), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, offline=True)
    pg = context.new_page()
    pg.add_init_script(WATCH)
    pg.dialogs, pg.errors, pg.requests = [], [], []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


def visible_rows(pg: Any) -> list[str]:
    return pg.eval_on_selector_all(
        '#measures-table tbody tr', "rows => rows.filter(r => !r.hidden).map(r => r.dataset.key.slice(2))")


def assert_nothing_ran(pg: Any) -> None:
    assert pg.dialogs == []
    assert pg.evaluate("document.title") != "pwned"
    assert pg.evaluate("document.querySelectorAll('img').length") == 0
    assert pg.evaluate("window.__violations") == []  # neither injected code nor a wrong CSP hash
    assert pg.errors == []
    assert all(u.startswith("file://") for u in pg.requests), pg.requests


def test_filters_hide_and_show_rows(page: Any, report_dir: Path) -> None:
    page.goto((report_dir / "measures.html").as_uri())
    form = page.locator('form[data-filter="measures"]')
    assert form.is_visible()
    out = form.locator("output")
    assert out.inner_text() == "7 of 7 shown"
    page.select_option("#measures-plan", "pilot")
    assert visible_rows(page) == ["p-data", "p-window", "p-finance", "p-park"]
    assert out.inner_text() == "4 of 7 shown"
    assert page.locator("#m-p-data").is_visible() and page.locator("#m-z-data").is_hidden()
    assert page.locator("#plan-measures-zh-only").is_hidden()  # an emptied plan's heading goes too
    page.select_option("#measures-aligned", "no")
    assert visible_rows(page) == ["p-park"]
    page.locator('form[data-filter="measures"] button[type="reset"]').click()
    assert out.inner_text() == "7 of 7 shown" and page.locator("#m-z-data").is_visible()
    page.select_option("#measures-aligned", "only-suspended")
    assert visible_rows(page) == ["pt-term"]
    page.select_option("#measures-aligned", "")
    page.fill("#measures-q", "数据跨境")
    assert visible_rows(page) == ["p-data", "z-data"]
    page.fill("#measures-q", "")
    page.select_option("#measures-agreement", "none")
    assert visible_rows(page) == ["p-park", "z-park"]
    assert_nothing_ran(page)


def test_gap_filter_and_keyboard_sorting(page: Any, report_dir: Path) -> None:
    page.goto((report_dir / "gaps.html").as_uri())
    page.select_option("#gaps-coverage", "uncovered")
    shown = page.eval_on_selector_all('tr[data-item="gaps"]', "rs => rs.filter(r => !r.hidden).map(r => r.dataset.key)")
    assert shown == ["g-mdta:1.1", "g-mdta:1.3", "g-mdta:1.5", "g-mdta:2.2"]
    assert page.locator("#gc-mdta\\:ch2").is_visible()
    page.select_option("#gaps-force", "procedural")
    assert page.locator("#gc-mdta\\:ch2").is_hidden()  # no article left in chapter 2
    # Sorting from the keyboard: the header buttons take focus and Enter.
    page.goto((report_dir / "measures.html").as_uri())
    button = page.locator("#measures-table thead th", has_text="Score").locator("button")
    button.focus()
    page.keyboard.press("Enter")
    th = page.locator("#measures-table thead th", has_text="Score")
    assert th.get_attribute("aria-sort") == "ascending"
    scores = page.eval_on_selector_all("#measures-table tbody tr", "rs => rs.map(r => r.cells[6].dataset.sort)")
    assert [float(s) for s in scores] == sorted(float(s) for s in scores)
    page.keyboard.press("Enter")
    assert th.get_attribute("aria-sort") == "descending"
    assert_nothing_ran(page)


@pytest.mark.parametrize("name", ["index.html", "gaps.html", "measures.html", "articles.html", "report.html"])
def test_markup_in_corpus_text_renders_as_text_and_runs_nothing(page: Any, report_dir: Path, name: str) -> None:
    page.goto((report_dir / name).as_uri())
    page.wait_for_load_state("load")
    assert_nothing_ran(page)
    if name in ("measures.html", "report.html"):
        card = page.locator("#m-p-window")
        text = card.locator("blockquote").first.inner_text()
        assert XSS_SCRIPT in text and XSS_IMG in text and "<b>bold</b>" in text
        assert card.locator("script, img, b").count() == 0
        assert page.locator('a[href^="javascript:"]').count() == 0


def test_single_file_navigates_and_filters_in_place(page: Any, report_dir: Path) -> None:
    page.goto((report_dir / "report.html").as_uri())
    page.locator("header nav a", has_text="Measures").click()
    assert page.url.endswith("#page-measures")
    page.select_option("#measures-plan", "patent")
    assert visible_rows(page) == ["pt-term"]
    page.locator("#heatmap").scroll_into_view_if_needed()
    page.locator('#gaps-only-suspended').scroll_into_view_if_needed()
    assert_nothing_ran(page)


def test_pages_read_without_javascript(browser: Any, report_dir: Path) -> None:
    context = browser.new_context(java_script_enabled=False, offline=True)
    pg = context.new_page()
    pg.goto((report_dir / "measures.html").as_uri())
    assert pg.locator('form[data-filter="measures"]').is_hidden()  # no dead controls
    assert pg.locator("#measures-table tbody tr:visible").count() == 7
    assert pg.locator("#m-p-data details.why").first.is_visible()
    assert pg.locator("#m-p-data mark").count() > 0
    pg.goto((report_dir / "gaps.html").as_uri())
    assert pg.locator('tr[data-item="gaps"]:visible').count() == 8
    context.close()


def test_print_hides_controls(page: Any, report_dir: Path) -> None:
    page.goto((report_dir / "measures.html").as_uri())
    page.emulate_media(media="print")
    assert page.locator("header.site").is_hidden() and page.locator("form.filters").is_hidden()
    assert page.locator("#m-p-data").is_visible()
    assert len(page.pdf()) > 10_000  # Chromium lays the report out on paper
