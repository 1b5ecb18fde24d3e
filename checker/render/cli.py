"""`rulealign report RESULT.json`: the HTML report again, from a saved result, without the corpora."""

from __future__ import annotations

from pathlib import Path

import click

from checker.cli import handles_input_errors
from checker.errors import InputError, problem
from checker.yamlio import read_text, write_atomic


@click.command("report")
@click.argument("result_path", metavar="RESULT.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path),
              help="Directory for the report site (default: the directory of RESULT.json). With "
                   "--single-file, a file ending in .html, or a directory to write report.html into.")
@click.option("--single-file", is_flag=True,
              help="Write the whole report as one self-contained HTML file (to mail), not a site.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing.")
@handles_input_errors
def report(result_path: Path, out: Path | None, single_file: bool, quiet: bool) -> None:
    """Render the HTML report from RESULT.json (written by `rulealign check`).

    The site is index.html (the overview), gaps.html, measures.html, articles.html and, when the
    result compares with a baseline, changes.html. Nothing is written unless every page renders."""
    from checker.render.report import parse_result, render_pages

    if not result_path.is_file():
        raise InputError(problem(result_path, None, "no such file"))
    result = parse_result(read_text(result_path), str(result_path))
    out = out if out is not None else result_path.parent
    if single_file:
        target = out if out.suffix.lower() in (".html", ".htm") else out / "report.html"
        if target.is_dir():
            raise InputError(problem(target, None, "is a directory; give a file name ending in .html"))
        files = [(target, render_pages(result, single_file=True)["report.html"])]
    else:
        if out.exists() and not out.is_dir():
            raise InputError(problem(out, None, "is not a directory (use --single-file to write one file)"))
        # Link to the data when it sits next to the pages (rendering in place, as `check` writes).
        data_files = [name for name in ("result.json", "matrix.csv") if (out / name).is_file()]
        site = render_pages(result, data_files=data_files)
        files = [(out / name, html) for name, html in site.items()]
        # A changes page of an earlier render must not outlive its baseline.
        stale = out / "changes.html"
        if "changes.html" not in site and stale.is_file():
            stale.unlink()
    for path, html in files:
        write_atomic(path, html)
    if not quiet:
        total = sum(len(html.encode("utf-8")) for _, html in files)
        names = ", ".join(str(p) for p, _ in files)
        click.echo(f"wrote {names} ({total / 1024:.0f} KiB)")
