"""Stage 6: render a result document as HTML, JSON and CSV.

One Jinja2 environment with autoescaping on for every template: corpus text is never trusted
as markup. Every file is written to a temp file and renamed, so a failed run leaves the last
good report in place.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from checker.yamlio import write_atomic


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("checker.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda x: f"{x * 100:.0f}%" if x is not None else "—"
    env.filters["score"] = lambda x: f"{x:.2f}"
    env.filters["anchor"] = lambda s: s.replace(":", "-").replace(".", "-")
    return env


def render_html(result: dict[str, Any]) -> str:
    """The overview page (`index.html`) of the report site."""
    return render_site(result)["index.html"]


def render_site(result: dict[str, Any], data_files: tuple[str, ...] = ()) -> dict[str, str]:
    """Every page of the report site: {file name: HTML}; `index.html` is the overview.

    `data_files` are files written next to the pages (result.json, matrix.csv) that the pages
    may link to."""
    from checker.render.report import render_pages

    return render_pages(result, data_files=data_files)


def render_single(result: dict[str, Any]) -> str:
    """The whole report in one self-contained HTML file (CSS and JavaScript inline), to mail."""
    from checker.render.report import render_pages

    return render_pages(result, single_file=True)["report.html"]


def render_json(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, indent=1) + "\n"


SIGNAL_COLUMNS = ("lexical", "concept", "anchor", "fuzzy")
CSV_COLUMNS = ["measure", "plan", "rank", "article", "clause", "score", *SIGNAL_COLUMNS, "linked", "suspended",
               "review"]


def render_csv(result: dict[str, Any]) -> str:
    """The matrix in long form: each measure's top candidates with every signal and the review."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for m in result["measures"]:
        links = {link["article"]: link for link in m["links"]}
        for rank, cand in enumerate(m["candidates"], 1):
            link = links.get(cand["article"])
            sig = cand["signals"]
            review = (cand.get("review") or {}).get("status", "")
            writer.writerow([m["id"], m["plan"], rank, cand["article"], cand["clause"],
                             f"{cand['score']:.4f}",
                             *(f"{sig[k]:.4f}" if k in sig else "" for k in SIGNAL_COLUMNS),
                             "yes" if link else "no",
                             "yes" if link and link["suspended"] else "no", review])
    return buf.getvalue()


def write_outputs(result: dict[str, Any], out_dir: Path | None, json_path: Path | None = None,
                  csv_path: Path | None = None) -> list[Path]:
    """Render everything first, then write: a rendering error leaves the old files alone.

    `out_dir` gets the report site (index.html, the overview, and one file per page; docs/report.md),
    result.json and matrix.csv."""
    rendered: list[tuple[Path, str]] = []
    stale: list[Path] = []
    if out_dir is not None:
        from checker.render.report import PAGES

        site = render_site(result, data_files=("result.json", "matrix.csv"))
        rendered += [(out_dir / name, html) for name, html in site.items()]
        rendered += [(out_dir / "result.json", render_json(result)),
                     (out_dir / "matrix.csv", render_csv(result))]
        # A page this run has no content for (changes.html without a baseline) must not linger.
        stale = [out_dir / f"{name}.html" for name, _ in PAGES if f"{name}.html" not in site]
    if json_path is not None:
        rendered.append((json_path, render_json(result)))
    if csv_path is not None:
        rendered.append((csv_path, render_csv(result)))
    for path, text in rendered:
        write_atomic(path, text)
    for path in stale:
        path.unlink(missing_ok=True)
    return [p for p, _ in rendered]
