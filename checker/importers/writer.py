"""The imported document → agreement.yaml + one YAML file per chapter (docs/corpus.md), written
atomically and checked by the corpus loader before anything in the output directory is replaced.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import yaml

from checker.errors import InputError, problem
from checker.importers.model import Chapter, Document, Unit
from checker.yamlio import write_atomic


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as `|-` blocks, like the hand-written corpora; keys in schema order."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def check_target(path: Path, force: bool, directory: bool) -> None:
    """Refuse to overwrite an existing file or a non-empty directory unless --force."""
    path = Path(path)
    if directory:
        if path.exists() and not path.is_dir():
            raise InputError(problem(path, None, "exists and is not a directory"))
        if path.is_dir() and any(path.iterdir()) and not force:
            raise InputError(problem(path, None, "directory exists and is not empty; use --force to replace "
                                                 "its corpus files"))
    else:
        if path.is_dir():
            raise InputError(problem(path, None, "is a directory; give a file name such as plan.yaml"))
        if path.exists() and not force:
            raise InputError(problem(path, None, "file exists; use --force to overwrite it"))


def chapter_file_name(chapter: Chapter) -> str:
    return f"ch{int(chapter.number):02d}.yaml" if chapter.number.isdigit() else f"{chapter.number.lower()}.yaml"


def agreement_files(doc: Document, ag_id: str, name: str, short_name: str | None = None,
                    signed: str | None = None, parties: list[str] | None = None,
                    origin: str | None = None) -> dict[str, str]:
    """File name → YAML text, for the agreement directory."""
    meta: dict[str, Any] = {"id": ag_id, "name": name, "short_name": short_name or ag_id.upper()}
    if signed or doc.signed:
        meta["signed"] = signed or doc.signed
    meta["parties"] = list(parties if parties is not None else doc.parties)
    meta["division"] = "chapter"
    meta["origin"] = origin or (
        f"Official text imported verbatim by `rulealign import agreement` on {dt.date.today().isoformat()} "
        f"from {doc.path} ({doc.format}). Not a restatement: do not commit it to a public repository "
        "unless its licence allows.")
    if doc.numbering:
        meta["notes"] = list(doc.numbering)
    files = {"agreement.yaml": dump(meta)}
    for chapter in doc.chapters:
        files[chapter_file_name(chapter)] = dump(_chapter(chapter, name))
    return files


def _chapter(chapter: Chapter, fallback_title: str) -> dict[str, Any]:
    number: int | str = int(chapter.number) if chapter.number.isdigit() else chapter.number
    data: dict[str, Any] = {"chapter": number, "title": chapter.title or fallback_title or f"Chapter {number}",
                            "level": "paragraph"}
    if chapter.articles:
        data["articles"] = [_unit(u) for u in chapter.articles]
    if chapter.annexes:
        data["annexes"] = [_unit(u) for u in chapter.annexes]
    if chapter.notes:
        data["notes"] = list(chapter.notes)
    return data


def _unit(unit: Unit) -> dict[str, Any]:
    title = unit.title or (f"Article {unit.number}" if unit.kind == "article" else f"Annex {unit.number}")
    data: dict[str, Any] = {"number": unit.number, "title": title}
    if unit.paragraphs:
        pars = []
        for p in unit.paragraphs:
            item: dict[str, Any] = {"label": p.label, "text": p.text}
            if p.notes:
                item["notes"] = list(p.notes)
            pars.append(item)
        data["paragraphs"] = pars
    else:
        # an article the source gives no text for keeps its place (and its number) with its title
        data["text"] = unit.text or f"{title} (no text in the source)"
    if unit.notes:
        data["notes"] = list(unit.notes)
    return data


def write_corpus(files: dict[str, str], out: Path, force: bool) -> list[Path]:
    """Validate the files with the corpus loader, then write each atomically into `out`.

    With --force, YAML files left by an earlier import (chapters this one no longer has) are
    removed, since the loader would read them as chapters.
    """
    from checker.corpus import load_agreement

    check_target(out, force, directory=True)
    earlier_import = (out / "agreement.yaml").is_file()
    if out.is_dir() and not earlier_import:
        foreign = sorted(p.name for p in out.glob("*.yaml") if p.name not in files)
        if foreign:
            raise InputError(problem(out, None, f"holds YAML files that are not an imported corpus "
                                                f"({', '.join(foreign[:5])}); the loader would read them as "
                                                "chapters: choose another directory"))
    with tempfile.TemporaryDirectory(prefix=".rulealign-import-") as tmp:
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        try:
            load_agreement(Path(tmp))
        except InputError as exc:  # a bug in the importer: say so, write nothing
            raise InputError([problem(out, None, "the imported corpus does not validate (nothing written):"),
                              *exc.problems]) from None
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out / name
        write_atomic(path, text)
        written.append(path)
    if force and earlier_import:
        for stale in sorted(out.glob("*.yaml")):
            if stale.name not in files:
                stale.unlink()
    return written
