"""Command line: parse flags, call the stages in order, map the outcome to an exit code.

Exit codes follow coverage.py: 0 all good, 1 the check failed, 2 usage or input error.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from checker import __version__
from checker.config import Config, load_config
from checker.errors import InputError

OK = 0
CHECK_FAILED = 1
INPUT_ERROR = 2


def handles_input_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input is reported as `path:line: problem` lines and exit 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            for p in exc.problems:
                click.echo(f"error: {p}", err=True)
            n = len(exc.problems)
            if n > 1:
                click.echo(f"{n} problems found.", err=True)
            sys.exit(INPUT_ERROR)

    return wrapper


def _config(ctx: click.Context, **flags: Any) -> Config:
    cfg = load_config(ctx.obj.get("config_path"))
    return cfg.with_overrides(**flags)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rulealign")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="pyproject.toml to read [tool.rulealign] from (default: the nearest one).")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Check which pilot measures dock with CPTPP and DEPA clauses."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path


rules_opt = click.option("--rules", "rules", multiple=True, type=click.Path(path_type=Path),
                         help="Agreement directory (repeatable). Default: [tool.rulealign] rules.")
measures_opt = click.option("--measures", "measures", multiple=True,
                            help="Measures file, directory or glob (repeatable).")
concepts_opt = click.option("--concepts", "concepts", type=click.Path(dir_okay=False, path_type=Path),
                            help="Concept lexicon YAML. Default: [tool.rulealign] concepts.")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@concepts_opt
@click.pass_context
@handles_input_errors
def validate(ctx: click.Context, paths: tuple[Path, ...], concepts: Path | None) -> None:
    """Load and check corpora; print counts. PATHS are agreement dirs or measures files
    (default: everything configured)."""
    from checker.concepts import load_concepts
    from checker.corpus import expand_measure_paths, load_corpus

    cfg = _config(ctx, concepts=concepts)
    if paths:
        rules = [p for p in paths if p.is_dir() and (p / "agreement.yaml").is_file()]
        measures = [str(p) for p in paths if p not in rules]
    else:
        rules, measures = list(cfg.rules), list(cfg.measures)
    corpus = load_corpus(rules, expand_measure_paths(measures))
    for ag in corpus.agreements:
        n_clauses = sum(len(a.clauses) for a in ag.articles)
        n_art = sum(a.kind == "article" for a in ag.articles)
        n_annex = sum(a.kind == "annex" for a in ag.articles)
        susp = [c.id for a in ag.articles for c in a.clauses if c.suspended or a.suspended]
        click.echo(f"{ag.short_name} ({ag.id}): {len(ag.chapters)} {ag.division}s, {n_art} articles, "
                   f"{n_annex} annexes, {n_clauses} clauses, {len(susp)} suspended clauses")
        for ch in ag.chapters:
            arts = [a for a in ag.articles if a.chapter == ch.id]
            click.echo(f"  {ch.division} {ch.number:>5}  {sum(a.kind == 'article' for a in arts):3d} articles"
                       f"  {sum(a.kind == 'annex' for a in arts):2d} annexes  {ch.level:9}  {ch.title}")
    for plan in corpus.plans:
        declared = plan.declared_text or "?"
        both = sum(bool(m.text and m.text_zh) for m in plan.measures)
        click.echo(f"plan {plan.id}: {len(plan.measures)} measures listed of {declared} declared; "
                   f"{both} with English and Chinese text")
    if not paths and cfg.concepts:
        n = len(load_concepts(cfg.concepts))
        click.echo(f"concepts: {n} in {cfg.concepts}")
    click.echo("ok")


@cli.command()
@rules_opt
@measures_opt
@concepts_opt
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output directory for index.html, result.json, matrix.csv (default: reports/).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the JSON result here.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the matrix CSV here.")
@click.option("--threshold", type=click.FloatRange(0, 1), help="Score at or above which a link is suggested.")
@click.option("--top", type=click.IntRange(1), help="Candidates kept per measure (default 10).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing unless the check fails.")
@click.pass_context
@handles_input_errors
def check(ctx: click.Context, rules: tuple[Path, ...], measures: tuple[str, ...],
          concepts: Path | None, out: Path | None, json_path: Path | None, csv_path: Path | None,
          threshold: float | None, top: int | None, quiet: bool) -> None:
    """Build the alignment matrix, check plan targets and write the report."""
    import time

    from checker.pipeline import run
    from checker.render import write_outputs
    from checker.result import build_result

    cfg = _config(ctx, rules=rules, measures=measures, concepts=concepts, out=out,
                  threshold=threshold, top=top)
    result_run = run(cfg)
    t = time.perf_counter()
    result = build_result(result_run)
    written = write_outputs(result, cfg.out, json_path, csv_path)
    result_run.timings["render"] = time.perf_counter() - t
    failed = result_run.decision.failed_plans
    if not quiet or failed:
        _print_summary(result, written, result_run.timings)
    for p in failed:
        click.echo(f"FAIL: plan {p.id}: target missed: {p.reason}", err=True)
    sys.exit(CHECK_FAILED if failed else OK)


def _print_summary(result: dict[str, Any], written: list[Path], timings: dict[str, float]) -> None:
    rows = [("plan", "listed", "declared", "aligned", "share", "target", "status")]
    for p in result["plans"]:
        t = p["target"]
        target = "—"
        if t:
            parts = [str(t["aligned"]) if t["aligned"] is not None else "",
                     f"{t['share']:.0%}" if t["share"] is not None else ""]
            target = " / ".join(x for x in parts if x)
        rows.append((p["id"], str(p["listed"]), p["declared"] or "—", str(p["aligned"]),
                     f"{p['share']:.0%}", target, p["status"]))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, r in enumerate(rows):
        click.echo("  ".join(c.ljust(w) if j == 0 else c.rjust(w) if j < 6 else c
                             for j, (c, w) in enumerate(zip(r, widths))).rstrip())
        if i == 0:
            click.echo("  ".join("-" * w for w in widths))
    for p in result["plans"]:
        if p["status"] != "met":
            click.echo(f"  {p['id']}: {p['reason']}")
    s = result["summary"]
    click.echo(f"{s['aligned']} of {s['measures']} measures aligned; {s['covered_articles']} of "
               f"{s['articles']} articles covered (threshold {s['threshold']:.2f}).")
    click.echo("wrote " + ", ".join(str(p) for p in written))
    click.echo("time: " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))


@cli.command()
@click.argument("measure_id")
@click.argument("article_id", required=False)
@rules_opt
@measures_opt
@concepts_opt
@click.option("--top", type=click.IntRange(1), help="Candidates to show (default 10).")
@click.pass_context
@handles_input_errors
def explain(ctx: click.Context, measure_id: str, article_id: str | None, rules: tuple[Path, ...],
            measures: tuple[str, ...], concepts: Path | None, top: int | None) -> None:
    """Why MEASURE_ID matches its candidates (or ARTICLE_ID): scores, signals, shared words."""
    from checker.explain import explain_text
    from checker.pipeline import run

    cfg = _config(ctx, rules=rules, measures=measures, concepts=concepts, top=top)
    click.echo(explain_text(run(cfg), measure_id, article_id))


def main() -> None:
    cli(prog_name="rulealign")
