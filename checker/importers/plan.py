"""A plan's text (Chinese or English) → the measures schema of docs/corpus.md.

Chinese official documents number their own structure: 一、二、 for parts, （一）（二） for groups,
1. 2. (or 1．/1、) for measures, （1）（2） for items inside a measure. English versions use I. II.,
(I) (II) or (i) (ii), and 1. 2. The plan is split there: each measure keeps its part heading as
`group` and its group heading as `section`. A group with no numbered measures under it is itself
one measure. Parts such as 总体要求 (general requirements) or 组织实施 (implementation) state
aims, not measures, and are left out unless --all-parts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.errors import InputError, Problem, problem
from checker.importers.textutil import clean_space, join_lines
from checker.importers.writer import check_target, dump
from checker.yamlio import read_text, write_atomic

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_ZH_NUM = "零〇一二两三四五六七八九十百"
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}

PART_ZH = re.compile(rf"^([{_ZH_NUM}]{{1,4}})\s*[、，,．.]\s*(.*)$")
PART_EN = re.compile(r"^(?:Part\s+)?([IVXLC]{1,6})\s*[.、:]\s+(\S.*)$")
GROUP_ZH = re.compile(rf"^[（(]\s*([{_ZH_NUM}]{{1,4}})\s*[）)]\s*(.*)$")
GROUP_EN = re.compile(r"^\(\s*([IVXLC]{1,6}|[ivxlc]{1,6})\s*\)\s*(\S.*)$")
MEASURE = re.compile(r"^(\d{1,3})\s*[.．、](?![\d０-９])\s*(.*)$")
DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,6}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,4}\s*[号號]")
DATE_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
CJK = re.compile(r"[\u3400-\u9fff]")
# parts that state aims or arrangements, not measures
NOT_MEASURES = re.compile(
    r"^(?:总体要求|總體要求|指导思想|指導思想|基本原则|基本原則|主要目标|主要目標|工作目标|工作目標|"
    r"组织实施|組織實施|保障措施|组织保障|組織保障|实施保障|實施保障|工作要求|"
    r"general requirements?|guiding (?:principles|ideology)|basic principles|main (?:objectives|goals)|"
    r"organi[sz]ation and implementation|implementation|safeguards?(?: measures)?|supporting measures)\b",
    re.I,
)


@dataclass
class ImportedMeasure:
    number: int | None  # the plan's own number; None for a group that is itself a measure
    text: str
    group: str | None
    section: str | None
    line: int
    group_number: int | None = None  # for a group that is itself a measure: the group's number


@dataclass
class ImportedPlan:
    path: str
    lang: str  # "zh" or "en"
    title: str | None = None
    document: str | None = None
    date: str | None = None
    measures: list[ImportedMeasure] = field(default_factory=list)
    parts: int = 0
    groups: int = 0
    skipped_parts: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def zh_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23, 一百零五 → 105."""
    if not text or any(c not in _ZH_NUM for c in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _ZH_DIGITS[ch]
    return total + current


def roman_number(text: str) -> int | None:
    text = text.lower()
    if not text or any(c not in _ROMAN for c in text):
        return None
    total, prev = 0, 0
    for ch in reversed(text):
        v = _ROMAN[ch]
        total, prev = (total - v, prev) if v < prev else (total + v, v)
    return total


def _heading(text: str) -> str:
    """A part or group heading: its first sentence, without the full stop."""
    text = clean_space(text)
    m = re.match(r"^(.{1,60}?)[。.;；:：](?:\s|$|(?=\S))", text)
    head = m.group(1) if m else text
    return head.strip("*#_ ").strip()


def _join(lines: list[str]) -> str:
    """Join a measure's wrapped lines: no space between Chinese characters, one between words."""
    out = ""
    for line in (clean_space(x) for x in lines):
        if not line:
            continue
        if out and (CJK.match(line[0]) and (CJK.match(out[-1]) or out[-1] in "，。；、：）》”")
                    or re.search(r"[\u3000-\u303f\uff00-\uffef]$", out)):
            out += line  # Chinese text wraps without spaces
        else:
            out = join_lines([out, line]) if out else line
    return out


def _strip_markup(line: str) -> str:
    line = re.sub(r"^#{1,6}\s+", "", line.strip())
    line = re.sub(r"\*\*|__", "", line)
    line = re.sub(r"\\([\\`*_{}\[\]()#+\-.!])", r"\1", line)  # Markdown escapes: "1\." is "1."
    return line.strip().replace("\u3000", " ").strip()


def parse_plan(text: str, path: str, all_parts: bool = False) -> ImportedPlan:
    """Split a plan's text at its own numbering."""
    lines = [_strip_markup(x) for x in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    body = "".join(lines)
    lang = "zh" if len(CJK.findall(body)) > 0.2 * max(1, len(re.sub(r"\s", "", body))) else "en"
    plan = ImportedPlan(path, lang)
    part_re, group_re = (PART_ZH, GROUP_ZH) if lang == "zh" else (PART_EN, GROUP_EN)
    to_int = zh_number if lang == "zh" else roman_number

    part_no = group_no = 0
    last_measure = 0
    part: str | None = None
    part_skipped = False
    group_first: tuple[str, int] | None = None  # a group's own text, until it is known to hold measures
    group_lines: list[str] = []
    group_has_measures = False
    current: ImportedMeasure | None = None
    current_lines: list[str] = []
    header: list[str] = []
    seen_numbers: dict[int, int] = {}
    started = False
    fresh = True  # no measure yet in the part or group at hand

    def close_measure() -> None:
        nonlocal current, current_lines
        if current is not None:
            current.text = _join(current_lines)
            if not current.text:
                plan.warnings.append(problem(path, current.line, f"measure {current.number} has no text"))
            plan.measures.append(current)
        current, current_lines = None, []

    def close_group() -> None:
        nonlocal group_first, group_lines, group_has_measures
        close_measure()
        if group_first is not None and not group_has_measures and not part_skipped:
            text = _join(group_lines)
            if text:
                plan.measures.append(ImportedMeasure(None, text, part, _heading(group_first[0]) or None,
                                                     group_first[1], group_no))
        group_first, group_lines, group_has_measures = None, [], False

    for lineno, line in enumerate(lines, 1):
        if not line:
            continue
        m = part_re.match(line)
        n = to_int(m.group(1)) if m else None
        if m and n is not None and (n == part_no + 1 or (part_no == 0 and n == 1)):
            close_group()
            started = True
            part_no = n  # groups are numbered on through the parts, or afresh in each part
            fresh = True
            part = _heading(m.group(2)) or None
            plan.parts += 1
            part_skipped = bool(not all_parts and part and NOT_MEASURES.match(part))
            if part_skipped:
                plan.skipped_parts.append(f"{m.group(1)} {part}")
            continue
        m = group_re.match(line)
        n = to_int(m.group(1)) if m else None
        if m and n is not None and (n == group_no + 1 or n == 1):
            close_group()
            started = True
            group_no = n
            fresh = True
            plan.groups += 1
            group_first = (m.group(2), lineno)
            group_lines = [m.group(2)]
            continue
        m = MEASURE.match(line)
        if m and not part_skipped:
            num = int(m.group(1))
            expected = last_measure + 1
            restart = num == 1 and last_measure > 0
            repeated = num == last_measure
            if num == expected or restart or repeated or expected < num <= expected + 5:
                close_measure()
                started = True
                if restart:
                    seen_numbers.clear()  # numbered afresh in each part or group: normal
                    if not fresh:
                        plan.warnings.append(problem(path, lineno, "measure numbering starts again at 1 "
                                                                   "inside a group"))
                elif num in seen_numbers:
                    plan.warnings.append(problem(path, lineno, f"measure number {num} appears twice (first at "
                                                               f"line {seen_numbers[num]})"))
                elif num != expected:
                    plan.warnings.append(problem(path, lineno, f"measure numbers jump from {last_measure} to {num}"))
                seen_numbers.setdefault(num, lineno)
                fresh = False
                group_has_measures = group_has_measures or group_first is not None
                section = _heading(group_first[0]) if group_first is not None else None
                current = ImportedMeasure(num, "", part, section or None, lineno)
                current_lines = [m.group(2)]
                last_measure = num
                continue
        if current is not None:
            current_lines.append(line)
        elif group_first is not None:
            group_lines.append(line)
        elif not started:
            header.append(line)
    close_group()
    _header(plan, header)
    return plan


def _header(plan: ImportedPlan, header: list[str]) -> None:
    text = "\n".join(header)
    m = DOC_NO.search(text)
    if m:
        plan.document = re.sub(r"\s+", "", m.group(0))
    dates = DATE_ZH.findall(text)
    if dates:
        y, mo, d = map(int, dates[-1])
        with contextlib.suppress(ValueError):
            plan.date = dt.date(y, mo, d).isoformat()
    title = re.search(r"《([^》]{4,120})》", text)
    if title:
        plan.title = title.group(1)
    elif header:
        plan.title = clean_space(header[0])[:200] or None


def import_plan(source: Path, all_parts: bool = False) -> ImportedPlan:
    """Read a plan (UTF-8 text, Markdown or PDF) and split it into measures."""
    source = Path(source)
    if not source.is_file():
        raise InputError(problem(source, None, "no such file" if not source.exists() else "not a file"))
    if source.suffix.lower() == ".pdf":
        from checker.importers.pdf import pdf_text

        text = pdf_text(source)
    else:
        text = read_text(source)
    plan = parse_plan(text, source.name, all_parts)
    if not plan.measures:
        raise InputError(problem(source, None, "no measures found: expected numbered items (一、 parts, （一） "
                                               "groups, 1. measures; or I. / (i) / 1. in English)"))
    return plan


def plan_yaml(plan: ImportedPlan, plan_id: str, title: str | None = None, title_zh: str | None = None,
              document: str | None = None, date: str | None = None, declared: int | None = None,
              id_prefix: str | None = None) -> str:
    """The measures file for an imported plan."""
    header: dict[str, Any] = {"id": plan_id}
    found_title = plan.title
    if title or (found_title and plan.lang == "en"):
        header["title"] = title or found_title
    if title_zh or (found_title and plan.lang == "zh"):
        header["title_zh"] = title_zh or found_title
    if document or plan.document:
        header["document"] = document or plan.document
    if date or plan.date:
        header["date"] = date or plan.date
    if declared is not None:
        header["declared"] = declared
    header["translation"] = (f"The {'Chinese' if plan.lang == 'zh' else 'English'} text of each measure is the "
                             f"plan's own wording, imported by `rulealign import plan` on "
                             f"{dt.date.today().isoformat()}; it is not a restatement.")
    header["sources"] = [f"Imported from {plan.path}: {plan.parts} parts, {plan.groups} groups, "
                         f"{len(plan.measures)} measures."]
    # ids carry the plan's own numbers when they are unique ("<id>-07"; a group that is itself a
    # measure is "<id>-g04"), otherwise the position in the plan
    numbers = [m.number for m in plan.measures if m.number is not None]
    groups = [m.group_number for m in plan.measures if m.number is None]
    own = len(set(numbers)) == len(numbers) and len(set(groups)) == len(groups) and None not in groups
    width = max(2, len(str(max([len(plan.measures), *numbers]))))
    prefix = id_prefix or plan_id
    items = []
    for k, m in enumerate(plan.measures, 1):
        if not own:
            mid = f"{prefix}-{k:0{width}d}"
        elif m.number is None:
            mid = f"{prefix}-g{m.group_number:02d}"
        else:
            mid = f"{prefix}-{m.number:0{width}d}"
        item: dict[str, Any] = {"id": mid}
        item["text_zh" if plan.lang == "zh" else "text"] = m.text or "(no text)"
        if m.group:
            item["group"] = m.group
        if m.section:
            item["section"] = m.section
        items.append(item)
    return dump({"plan": header, "measures": items})


def write_plan(text: str, out: Path, force: bool) -> Path:
    """Validate with the corpus loader, then write atomically."""
    from checker.corpus import load_plan

    check_target(out, force, directory=False)
    with tempfile.TemporaryDirectory(prefix=".rulealign-import-") as tmp:
        probe = Path(tmp) / (out.name if out.suffix in (".yaml", ".yml") else "plan.yaml")
        probe.write_text(text, encoding="utf-8")
        try:
            load_plan(probe)
        except InputError as exc:
            raise InputError([problem(out, None, "the imported plan does not validate (nothing written):"),
                              *exc.problems]) from None
    write_atomic(out, text)
    return out
