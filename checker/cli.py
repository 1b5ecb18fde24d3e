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


class RulealignGroup(click.Group):
    """Commands that live next to the stage they drive are loaded when used (and listed in --help)."""

    LAZY = {"report": ("checker.render.cli", "report"), "import": ("checker.importers.cli", "import_group")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            import importlib

            module, attr = self.LAZY[cmd_name]
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, cmd_name)


@click.group(cls=RulealignGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    corpus = load_corpus(rules, expand_measure_paths(measures, exclude=[cfg.decisions] if cfg.decisions else []))
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
    if not paths and cfg.decisions:
        from collections import Counter

        from checker.decisions import load_ledger

        ledger = load_ledger(cfg.decisions, [m.id for m in corpus.measures], [a.id for a in corpus.articles])
        counts = Counter(r.status for r in ledger.reviews.values())
        click.echo(f"decisions: {len(ledger.reviews)} in {cfg.decisions} ("
                   + ", ".join(f"{counts[s]} {s}" for s in ("accepted", "rejected", "unsure")) + ")")
    click.echo("ok")


decisions_opt = click.option("--decisions", "decisions", type=click.Path(dir_okay=False, path_type=Path),
                             help="Decisions ledger (YAML). Default: [tool.rulealign] decisions.")
FORMATS = ("text", "json", "sarif", "junit", "github")


@cli.command()
@rules_opt
@measures_opt
@concepts_opt
@decisions_opt
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output directory for index.html, result.json, matrix.csv (default: reports/).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the JSON result here.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the matrix CSV here.")
@click.option("--threshold", type=click.FloatRange(0, 1), help="Score at or above which a link is suggested.")
@click.option("--top", type=click.IntRange(1), help="Candidates kept per measure (default 10).")
@click.option("--baseline", "baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Compare with this baseline (from `rulealign baseline`) and gate on regressions.")
@click.option("--fail-on", "fail_on", help="Classes that fail the check, comma-separated "
              "(default: no-longer-aligned,suspect,uncovered-binding-grew,target-missed; 'all', 'none').")
@click.option("--score-margin", "score_margin", type=click.FloatRange(0, 1),
              help="How far a link's score may drop before it is reported (default 0.1).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="What to print: a summary, the JSON result, SARIF 2.1.0, JUnit XML or GitHub annotations.")
@click.option("--semantic/--no-semantic", default=None,
              help="Add sentence-embedding similarity (needs the `semantic` extra; off by default).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing unless the check fails (text format).")
@click.pass_context
@handles_input_errors
def check(ctx: click.Context, rules: tuple[Path, ...], measures: tuple[str, ...], concepts: Path | None,
          decisions: Path | None, out: Path | None, json_path: Path | None, csv_path: Path | None,
          threshold: float | None, top: int | None, baseline: Path | None, fail_on: str | None,
          score_margin: float | None, fmt: str, semantic: bool | None, quiet: bool) -> None:
    """Build the alignment matrix, check plan targets (and the baseline), write the report."""
    import time

    from checker.baseline import compare, load_baseline, parse_classes
    from checker.crosswalk import counterparts
    from checker.pipeline import run
    from checker.render import render_json, write_outputs
    from checker.render.ci import render_changes_text, render_github, render_junit, render_sarif
    from checker.result import build_result

    cfg = _config(ctx, rules=rules, measures=measures, concepts=concepts, decisions=decisions, out=out,
                  threshold=threshold, top=top, baseline=baseline, score_margin=score_margin, semantic=semantic,
                  fail_on=tuple(fail_on.split(",")) if fail_on is not None else None)
    classes = parse_classes(cfg.fail_on)
    base = load_baseline(baseline) if baseline is not None else None
    retired = frozenset(base["measures"]) | frozenset(base["articles"]) if base else frozenset()
    result_run = run(cfg, retired)
    comparison = compare(result_run.corpus, result_run.decision, base, str(baseline) if baseline else None,
                         cfg.score_margin)
    t = time.perf_counter()
    cps = counterparts(result_run)
    result_run.timings["crosswalk"] = time.perf_counter() - t
    t = time.perf_counter()
    result = build_result(result_run, comparison=comparison, fail_on=classes, counterparts=cps)
    written = write_outputs(result, cfg.out, json_path, csv_path)
    result_run.timings["render"] = time.perf_counter() - t
    failing = comparison.failing(classes)
    if fmt == "text":
        if not quiet or failing:
            _print_summary(result, written, result_run.timings)
            if comparison.changes:
                click.echo(render_changes_text(comparison, classes), nl=False)
        for ch in failing:
            click.echo(f"FAIL: {ch.message}", err=True)
    elif fmt == "json":
        click.echo(render_json(result), nl=False)
    elif fmt == "sarif":
        click.echo(render_sarif(comparison, classes), nl=False)
    elif fmt == "junit":
        click.echo(render_junit(result, comparison, classes), nl=False)
    else:
        click.echo(render_github(comparison, classes), nl=False)
    sys.exit(CHECK_FAILED if failing else OK)


@cli.command("baseline")
@rules_opt
@measures_opt
@concepts_opt
@decisions_opt
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the baseline (default: [tool.rulealign] baseline, else reports/baseline.json).")
@click.option("--threshold", type=click.FloatRange(0, 1), help="Score at or above which a link is suggested.")
@click.pass_context
@handles_input_errors
def baseline_cmd(ctx: click.Context, rules: tuple[Path, ...], measures: tuple[str, ...], concepts: Path | None,
                 decisions: Path | None, out_path: Path | None, threshold: float | None) -> None:
    """Record which measures are aligned and by which links: the file a project commits."""
    from checker.baseline import make_baseline, write_baseline
    from checker.pipeline import run

    cfg = _config(ctx, rules=rules, measures=measures, concepts=concepts, decisions=decisions,
                  threshold=threshold)
    path = out_path or cfg.baseline or Path("reports/baseline.json")
    r = run(cfg)
    write_baseline(path, make_baseline(r.corpus, r.decision))
    aligned = sum(md.aligned for md in r.decision.measures)
    n_links = sum(len(md.links) for md in r.decision.measures)
    click.echo(f"wrote {path}: {aligned} of {len(r.decision.measures)} measures aligned, {n_links} links")


@cli.command()
@click.argument("measure_id", required=False)
@click.argument("article_id", required=False)
@click.option("--accept", "status", flag_value="accepted", help="Accept the link: it counts even below the threshold.")
@click.option("--reject", "status", flag_value="rejected", help="Reject the link: it is never suggested again.")
@click.option("--unsure", "status", flag_value="unsure", help="Record that the link was looked at, undecided.")
@click.option("--note", help="Why (kept in the ledger).")
@click.option("--by", "by", help="Reviewer (default: git user.name, else $USER).")
@click.option("--pending", is_flag=True, help="List suggested links that have no decision, best first.")
@rules_opt
@measures_opt
@concepts_opt
@decisions_opt
@click.pass_context
@handles_input_errors
def review(ctx: click.Context, measure_id: str | None, article_id: str | None, status: str | None,
           note: str | None, by: str | None, pending: bool, rules: tuple[Path, ...], measures: tuple[str, ...],
           concepts: Path | None, decisions: Path | None) -> None:
    """Accept, reject or mark unsure a suggested link (MEASURE_ID ARTICLE_ID), or list --pending ones."""
    from datetime import datetime, timezone

    from checker.decisions import Ledger, save_ledger, stamp
    from checker.pipeline import run

    cfg = _config(ctx, rules=rules, measures=measures, concepts=concepts, decisions=decisions)
    if cfg.decisions is None:
        raise InputError("no decisions ledger: pass --decisions FILE or set decisions in [tool.rulealign]")
    if pending:
        if measure_id or status:
            raise InputError("--pending takes no MEASURE_ID, ARTICLE_ID or --accept/--reject/--unsure")
        r = run(cfg)
        rows = [(link.score, md.id, link) for md in r.decision.measures for link in md.links if link.review is None]
        rows.sort(key=lambda x: (-x[0], x[1], x[2].article))
        titles = {a.id: a.title for a in r.corpus.articles}
        for score, mid, link in rows:
            click.echo(f"{score:.3f}  {mid:14} {link.article:18} {titles[link.article]}")
        click.echo(f"{len(rows)} suggested link(s) without a decision in {cfg.decisions}")
        return
    if not (measure_id and article_id and status):
        raise InputError("usage: rulealign review MEASURE_ID ARTICLE_ID --accept|--reject|--unsure [--note ...] "
                         "(or rulealign review --pending)")
    r = run(cfg)
    measure = next((m for m in r.corpus.measures if m.id == measure_id), None)
    article = next((a for a in r.corpus.articles if a.id == article_id), None)
    if measure is None:
        raise InputError(f"unknown measure id {measure_id!r}")
    if article is None:
        raise InputError(f"unknown article id {article_id!r} (ids look like cptpp:14.11 or depa:4.3)")
    mi = r.matrix.measure_index(measure_id)
    score = float(r.matrix.article_scores[mi, r.matrix.article_ids.index(article_id)])
    ledger = r.ledger or Ledger(cfg.decisions, {})
    when = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    ledger.set(stamp(measure, article, status, by or _reviewer(), when, note, score))
    save_ledger(ledger)
    click.echo(f"{status} {measure_id} → {article_id} (score {score:.3f}) in {cfg.decisions}")


def _reviewer() -> str | None:
    import getpass
    import subprocess

    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


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


@cli.command()
@click.option("--from", "source", required=True, help="Agreement whose articles are matched (e.g. depa).")
@click.option("--to", "target", required=True, help="Agreement searched for counterparts (e.g. cptpp).")
@click.option("--top", type=click.IntRange(1), default=3, show_default=True, help="Counterparts per article.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write JSON here.")
@rules_opt
@concepts_opt
@click.pass_context
@handles_input_errors
def crosswalk(ctx: click.Context, source: str, target: str, top: int, json_path: Path | None,
              rules: tuple[Path, ...], concepts: Path | None) -> None:
    """List each article's counterparts in another agreement (e.g. DEPA → CPTPP)."""
    import json

    from checker.concepts import load_concepts
    from checker.corpus import load_agreement
    from checker.crosswalk import crosswalk as run_crosswalk
    from checker.yamlio import write_atomic

    cfg = _config(ctx, rules=rules, concepts=concepts)
    agreements = {ag.id: ag for ag in (load_agreement(p) for p in cfg.rules)}
    for ident in (source, target):
        if ident not in agreements:
            raise InputError(f"unknown agreement {ident!r} (loaded: {', '.join(agreements) or 'none'})")
    rows = run_crosswalk(agreements[source], agreements[target],
                         load_concepts(cfg.concepts) if cfg.concepts else [], cfg.weights, top)
    for row in rows:
        best = row.counterparts[0] if row.counterparts else None
        others = ", ".join(f"{c.article} {c.score:.2f}" for c in row.counterparts[1:])
        click.echo(f"{row.article:16} {row.title[:48]:48}  →  "
                   + (f"{best.article} ({best.score:.2f})" if best else "—") + (f"   [{others}]" if others else ""))
    if json_path is not None:
        doc = {"schema": "rulealign.crosswalk/1", "from": source, "to": target,
               "articles": [{"article": r.article, "title": r.title,
                             "counterparts": [{"article": c.article, "clause": c.clause, "score": c.score}
                                              for c in r.counterparts]} for r in rows]}
        write_atomic(json_path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")


@cli.command()
@click.option("--gold", "gold_path", required=True, multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Gold labels (tests/gold/gold.yaml); repeat to evaluate and fit on several files as one set.")
@click.option("--sweep", is_flag=True, help="Print a threshold sweep of the current weights.")
@click.option("--zh", "chinese", is_flag=True, help="Evaluate on the Chinese texts only (text_zh).")
@click.option("--folds", type=click.IntRange(2), default=5, show_default=True, help="Cross-validation folds.")
@click.option("--step", type=click.FloatRange(0.01, 0.5), default=0.1, show_default=True,
              help="Grid step of the weight search.")
@click.option("--write", "write_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the weights, threshold and confidence fitted on all labels (a calibration file).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the metrics as JSON.")
@click.option("--semantic/--no-semantic", default=None, help="Include the sentence-embedding signal in the fit.")
@rules_opt
@measures_opt
@concepts_opt
@click.pass_context
@handles_input_errors
def evaluate(ctx: click.Context, gold_path: tuple[Path, ...], sweep: bool, chinese: bool, folds: int, step: float,
             write_path: Path | None, json_path: Path | None, semantic: bool | None, rules: tuple[Path, ...],
             measures: tuple[str, ...], concepts: Path | None) -> None:
    """Accuracy against gold labels: held-out (cross-validated) ranking, links and aligned measures."""
    from checker.evaluate import evaluate_command

    cfg = _config(ctx, rules=rules, measures=measures, concepts=concepts, semantic=semantic)
    text, doc = evaluate_command(cfg, gold_path, chinese=chinese, k=folds, step=step, sweep=sweep,
                                 write_path=write_path)
    click.echo(text, nl=False)
    if json_path is not None:
        import json

        from checker.yamlio import write_atomic

        write_atomic(json_path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")


def main() -> None:
    cli(prog_name="rulealign")
