"""`rulealign import agreement|plan`: the click commands (registered by checker/cli.py)."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from checker.errors import InputError, problem
from checker.importers import FORMATS


def handles_input_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """checker.cli's handler (problems as `file:line: ...`, exit 2), looked up when a command runs:
    checker/cli.py imports this module to register the group, so importing it here would be circular."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from checker.cli import handles_input_errors as handler

        return handler(func)(*args, **kwargs)

    return wrapper

_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_CHAPTER = re.compile(r"[0-9]+|[A-Z][A-Za-z]*")


def _check_id(value: str, what: str) -> str:
    if not _ID.fullmatch(value):
        raise InputError(problem(what, None, f"bad id {value!r} (lower-case letters, digits, - . _)"))
    return value


def _warnings(problems: list, limit: int | None = 60) -> None:
    shown = problems if limit is None else problems[:limit]
    for p in shown:
        click.echo(f"warning: {p}", err=True)
    if len(shown) < len(problems):
        click.echo(f"warning: ... and {len(problems) - len(shown)} more (-v lists them all)", err=True)


@click.group("import", context_settings={"help_option_names": ["-h", "--help"]})
def import_group() -> None:
    """Import official texts: an agreement into a rules directory, a plan into a measures file."""


@import_group.command("agreement")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--id", "ag_id", required=True, help="Agreement id (lower-case), prefix of every clause id.")
@click.option("--name", required=True, help="The agreement's full name.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="Directory to write agreement.yaml and one YAML file per chapter into.")
@click.option("--short-name", help="Short name for reports (default: the id in capitals).")
@click.option("--signed", help="Date of signature, YYYY-MM-DD (default: from the source, if it says).")
@click.option("--parties", help="Comma-separated parties (default: from the source, if it says).")
@click.option("--format", "fmt", type=click.Choice(["auto", *FORMATS]), default="auto", show_default=True,
              help="Source format; auto detects it from the content and the file extension.")
@click.option("--numbering-from", type=click.Path(path_type=Path),
              help="Another text of the same agreement whose article numbers to use (e.g. the signed "
                   "text in ToTA XML); articles are paired by title, opening words and order.")
@click.option("--flat-chapter", default="1", show_default=True,
              help="Chapter number (or name) for an agreement whose articles are numbered 1, 2, 3 ...")
@click.option("--jobs", type=click.IntRange(1), help="Processes reading PDF pages (default: up to 4).")
@click.option("--force", is_flag=True, help="Replace the corpus files in a non-empty output directory.")
@click.option("--verbose", "-v", is_flag=True, help="Also list every article whose number changed.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and the last line.")
@handles_input_errors
def agreement(source: Path, ag_id: str, name: str, out: Path, short_name: str | None, signed: str | None,
              parties: str | None, fmt: str, numbering_from: Path | None, flat_chapter: str,
              jobs: int | None, force: bool, verbose: bool, quiet: bool) -> None:
    """Turn an official agreement text (Markdown file or directory, ToTA XML, plain text, PDF) into
    the rules schema: chapters, articles, paragraphs, annexes, footnotes as notes."""
    from checker.importers import import_agreement
    from checker.importers.writer import agreement_files, check_target, write_corpus

    _check_id(ag_id, "--id")
    if not name.strip():
        raise InputError(problem("--name", None, "the agreement needs a name"))
    if not _CHAPTER.fullmatch(flat_chapter):
        raise InputError(problem("--flat-chapter", None, f"bad chapter {flat_chapter!r} (a number, or a name "
                                                         "such as JSI)"))
    if signed and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", signed):
        raise InputError(problem("--signed", None, f"not a date YYYY-MM-DD: {signed!r}"))
    check_target(out, force, directory=True)  # before the (possibly long) reading
    t = time.perf_counter()
    doc = import_agreement(source, None if fmt == "auto" else fmt, numbering_from, flat_chapter, jobs)
    party_list = [p.strip() for p in parties.split(",") if p.strip()] if parties is not None else None
    files = agreement_files(doc, ag_id, name.strip(), short_name, signed, party_list)
    written = write_corpus(files, out, force)
    elapsed = time.perf_counter() - t
    n_par = sum(len(u.paragraphs) or 1 for c in doc.chapters for u in c.units)
    n_notes = sum(len(u.notes) + sum(len(p.notes) for p in u.paragraphs) for c in doc.chapters
                  for u in c.units) + sum(len(c.notes) for c in doc.chapters)
    if not quiet:
        click.echo(f"read {doc.path} ({doc.format}{f', {doc.files} files' if doc.files > 1 else ''})")
        for line in doc.info:
            click.echo(f"  {line}")
        for ch in doc.chapters:
            n_p = sum(len(u.paragraphs) or 1 for u in ch.units)
            click.echo(f"  chapter {ch.number:>3}  {len(ch.articles):3d} articles  {len(ch.annexes):2d} annexes  "
                       f"{n_p:4d} paragraphs  {ch.title}")
        split = [u for u in doc.articles if u.origin == "split"]
        from_ref = [u for u in doc.articles if u.origin == "reference"]
        if numbering_from is not None:
            renumbered = sum(1 for u in doc.articles if u.origin == "source" and u.number != u.source_number)
            click.echo(f"numbering: {renumbered} articles renumbered, {len(split)} split out of another "
                       f"article (heading lost), {len(from_ref)} taken from the reference"
                       + (f" ({', '.join(u.number for u in from_ref)})" if from_ref else ""))
        if verbose:
            for line in doc.numbering:
                click.echo(f"  {line}")
    _warnings(doc.warnings, None if verbose else 60)
    click.echo(f"found {len(doc.chapters)} chapters, {len(doc.articles)} articles, {len(doc.annexes)} annexes, "
               f"{n_par} paragraphs, {n_notes} notes; {len(doc.warnings)} warnings")
    click.echo(f"wrote {out}{'/' if not str(out).endswith('/') else ''} (agreement.yaml and "
               f"{len(written) - 1} chapter files) in {elapsed:.1f}s")


@import_group.command("plan")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--id", "plan_id", required=True, help="Plan id (lower-case); measure ids are <id>-NN.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Measures file to write (.yaml).")
@click.option("--title", help="English title (default: found in an English text).")
@click.option("--title-zh", help="Chinese title (default: the 《…》 title found in a Chinese text).")
@click.option("--document", help="Document number, e.g. 国发〔2023〕9号 (default: found in the text).")
@click.option("--date", help="Date of issue, YYYY-MM-DD (default: found in the text).")
@click.option("--declared", type=click.IntRange(0), help="How many measures the plan itself declares.")
@click.option("--id-prefix", help="Prefix of the measure ids (default: the plan id).")
@click.option("--all-parts", is_flag=True,
              help="Also import parts that state aims or arrangements (总体要求, 组织实施 ...).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and the last line.")
@handles_input_errors
def plan(source: Path, plan_id: str, out: Path, title: str | None, title_zh: str | None, document: str | None,
         date: str | None, declared: int | None, id_prefix: str | None, all_parts: bool, force: bool,
         quiet: bool) -> None:
    """Turn a plan's text (Chinese or English) into a measures file, split at the plan's own
    numbering: 一、 parts → group, （一） groups → section, 1. measures."""
    from checker.importers.plan import import_plan, plan_yaml, write_plan
    from checker.importers.writer import check_target

    _check_id(plan_id, "--id")
    if id_prefix:
        _check_id(id_prefix, "--id-prefix")
    if date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise InputError(problem("--date", None, f"not a date YYYY-MM-DD: {date!r}"))
    check_target(out, force, directory=False)
    t = time.perf_counter()
    imported = import_plan(source, all_parts)
    text = plan_yaml(imported, plan_id, title, title_zh, document, date, declared, id_prefix)
    write_plan(text, out, force)
    if not quiet:
        click.echo(f"read {imported.path} ({'Chinese' if imported.lang == 'zh' else 'English'})")
        if imported.title:
            click.echo(f"  title: {imported.title}")
        for what, value in (("document", imported.document), ("date", imported.date)):
            if value:
                click.echo(f"  {what}: {value}")
        for part in imported.skipped_parts:
            click.echo(f"  part {part}: aims or arrangements, not measures (skipped; --all-parts keeps it)")
        groups: dict[str, int] = {}
        for m in imported.measures:
            key = f"{m.group or '-'} / {m.section or '-'}"
            groups[key] = groups.get(key, 0) + 1
        for key, n in groups.items():
            click.echo(f"  {n:3d}  {key}")
    _warnings(imported.warnings)
    click.echo(f"found {imported.parts} parts, {imported.groups} groups, {len(imported.measures)} measures; "
               f"{len(imported.warnings)} warnings")
    click.echo(f"wrote {out} in {time.perf_counter() - t:.1f}s")
