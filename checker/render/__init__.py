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
    articles = {a["id"]: a for a in result["articles"]}
    clauses = {c["id"]: c for a in result["articles"] for c in a["clauses"]}
    chapters = {ch["id"]: ch for ag in result["agreements"] for ch in ag["chapters"]}
    uncovered = [a for a in result["articles"] if not a["covered_by"] and a["suspended"] != "whole"]
    force_order = {"binding": 0, "best-endeavour": 1, "cooperation": 2, "procedural": 3, "definitional": 4}
    uncovered.sort(key=lambda a: force_order.get(a["force"], 9))
    return environment().get_template("index.html.j2").render(
        r=result, articles=articles, clauses=clauses, chapters=chapters, uncovered=uncovered,
    )


def render_json(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, indent=1) + "\n"


CSV_COLUMNS = ["measure", "plan", "rank", "article", "clause", "score", "lexical", "concept",
               "fuzzy", "linked", "suspended"]


def render_csv(result: dict[str, Any]) -> str:
    """The matrix in long form: each measure's top candidates with every signal."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for m in result["measures"]:
        links = {link["article"]: link for link in m["links"]}
        for rank, cand in enumerate(m["candidates"], 1):
            link = links.get(cand["article"])
            sig = cand["signals"]
            writer.writerow([m["id"], m["plan"], rank, cand["article"], cand["clause"],
                             f"{cand['score']:.4f}",
                             *(f"{sig[k]:.4f}" if k in sig else "" for k in ("lexical", "concept", "fuzzy")),
                             "yes" if link else "no",
                             "yes" if link and link["suspended"] else "no"])
    return buf.getvalue()


def write_outputs(result: dict[str, Any], out_dir: Path | None, json_path: Path | None = None,
                  csv_path: Path | None = None) -> list[Path]:
    """Render everything first, then write: a rendering error leaves the old files alone."""
    rendered: list[tuple[Path, str]] = []
    if out_dir is not None:
        rendered += [(out_dir / "index.html", render_html(result)),
                     (out_dir / "result.json", render_json(result)),
                     (out_dir / "matrix.csv", render_csv(result))]
    if json_path is not None:
        rendered.append((json_path, render_json(result)))
    if csv_path is not None:
        rendered.append((csv_path, render_csv(result)))
    for path, text in rendered:
        write_atomic(path, text)
    return [p for p, _ in rendered]
