"""Text clean-up shared by the readers: spaces, line joins, hyphenation, titles, matching keys."""

from __future__ import annotations

import re
from collections.abc import Iterable

from checker.importers.model import FN_RE, fn_token

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
_WORD = re.compile(r"[A-Za-z]+")

# Hyphenated compounds whose hyphen must stay when a line ends on it ("non-" + "discriminatory").
_KEEP_HYPHEN_PREFIXES = {
    "non", "co", "cross", "self", "multi", "pre", "post", "anti", "sub", "inter", "semi", "quasi",
    "intra", "extra", "well", "long", "short", "high", "low", "e", "re", "first", "third", "value",
    "government", "state", "sector", "country", "party",
}


def clean_space(text: str) -> str:
    """One space between words, no invisible characters (zero-width spaces, soft hyphens)."""
    return _SPACES.sub(" ", text.translate(_INVISIBLE)).strip()


def vocabulary(texts: Iterable[str]) -> set[str]:
    """Lower-case words of a whole source, to decide whether a line-end hyphen is a soft one."""
    vocab: set[str] = set()
    for t in texts:
        vocab.update(w.lower() for w in _WORD.findall(t))
    return vocab


def join_lines(lines: Iterable[str], vocab: set[str] | frozenset[str] = frozenset()) -> str:
    """Join the wrapped lines of one paragraph, repairing words hyphenated at a line end.

    "regu-" + "lation" becomes "regulation" when the source spells it so elsewhere (or nothing
    says otherwise); "non-" + "discriminatory" and "Non-" + "Conforming" keep their hyphen.
    """
    out = ""
    for raw in lines:
        line = clean_space(raw)
        if not line:
            continue
        if not out:
            out = line
            continue
        m = re.search(r"([A-Za-z]+)-$", out)
        if m and line[0].isalpha() and not out.endswith("--"):
            head, tail_word = m.group(1), _WORD.match(line)
            tail = tail_word.group(0) if tail_word else ""
            if line[0].isupper() or _keeps_hyphen(head, tail, vocab):
                out += line  # a real compound: keep the hyphen, no space
            else:
                out = out[:-1] + line
            continue
        out += " " + line
    return out


def _keeps_hyphen(head: str, tail: str, vocab: set[str] | frozenset[str]) -> bool:
    joined = (head + tail).lower()
    if joined in vocab:
        return False
    return f"{head}-{tail}".lower() in vocab or head.lower() in _KEEP_HYPHEN_PREFIXES


_SMALL = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the",
          "to", "with", "under", "between", "against", "than", "via", "upon", "its", "their"}
_ACRONYMS = {a.lower(): a for a in (
    "WTO", "GATT", "GATS", "TBT", "SPS", "TRIPS", "SME", "SMEs", "ICT", "ISDS", "TRQ", "TRQs", "TPMs",
    "TPM", "RMI", "RCEP", "ASEAN", "MFN", "ICSID", "UNCITRAL", "ITE", "AD", "SCM", "PDR", "HS", "UN",
    "II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "XX", "XXI", "XXIV", "CPTPP", "TPP", "DEPA",
    "IP", "IT", "ISO", "IMF", "OECD", "APEC", "CTC", "RVC", "NCM", "NCMs", "PRC", "EU", "US", "USA", "UK",
    "R&D", "GI", "GIs",
)}


def fix_title(title: str) -> str:
    """Readable title case for ALL-CAPS headings and ToTA's Every Word Capitalised titles."""
    title = clean_space(title)
    letters = [c for c in title if c.isalpha()]
    if not letters:
        return title
    words = title.split(" ")
    all_caps = all(c.isupper() for c in letters)
    every_word = sum(w[:1].isupper() for w in words if w[:1].isalpha()) == sum(w[:1].isalpha() for w in words)
    small_capitalised = any(w.lower() in _SMALL and w[:1].isupper() for w in words[1:])
    if not (all_caps or (every_word and small_capitalised)):
        return title
    out = []
    for i, word in enumerate(words):
        parts = word.split("-")
        fixed = []
        for j, part in enumerate(parts):
            core = re.sub(r"^[^A-Za-z]+|[^A-Za-z&]+$", "", part)
            low = core.lower()
            if low in _ACRONYMS:
                new = _ACRONYMS[low]
            elif (i > 0 or j > 0) and low in _SMALL and j == 0:
                new = low
            elif all_caps or not core[:1].isupper() or core[1:].islower() or len(core) <= 1:
                new = low[:1].upper() + low[1:]
            else:
                new = core
            fixed.append(part.replace(core, new, 1) if core else part)
        out.append("-".join(fixed))
    return " ".join(out)


def strip_fn(text: str) -> str:
    """Text without footnote markers."""
    return FN_RE.sub("", text)


def match_key(text: str, limit: int | None = None) -> str:
    """Lower-case words only: the form in which titles and openings are compared across sources."""
    t = strip_fn(text).lower()
    t = re.sub(r"(?<=[a-z\)])\d+\b", " ", t)  # ToTA's footnote numbers glued to words
    t = re.sub(r"^\s*(?:\d+\s*\\?[.)]|\([a-z0-9]+\))\s*", " ", t)  # a leading paragraph label
    t = " ".join(re.findall(r"[a-z0-9]+", t))
    return t[:limit] if limit else t


_GLUED = re.compile(r"(?<=[A-Za-z\)\]\.,;:\u201d\u2019\"'])(\d{1,3}(?:\s*,\s*\d{1,3})*)(?=[\s,;:.)\u201d\u2019]|$)")


def mark_glued_refs(text: str, known: set[str]) -> str:
    """Turn footnote numbers glued to words ("Treatment14", "electronically;2, 3") into markers.

    Only numbers in `known` (footnotes whose text was found) are taken, so "GATT 1994" or
    "Article 9.4" are never touched (they are not glued to a letter or are not known).
    """
    def repl(m: re.Match[str]) -> str:
        nums = [n.strip() for n in m.group(1).split(",")]
        if not all(n in known for n in nums):
            return m.group(0)
        # A decimal such as "9.4" has a digit before the dot; the lookbehind needs a non-digit.
        start = m.start(1)
        if start >= 2 and m.string[start - 1] in ".," and m.string[start - 2].isdigit():
            return m.group(0)
        return "".join(fn_token(n) for n in nums)

    return _GLUED.sub(repl, text)


PAGE_NUMBER = re.compile(
    r"^\s*(?:[-\u2013\u2014]\s*)?(?:\d{1,4}|[ivxlcIVXLC]{1,6}|\d{1,3}[A-Z]?\s*[-\u2013]\s*\d{1,4}|"
    r"page\s+\d+(?:\s+of\s+\d+)?)(?:\s*[-\u2013\u2014])?\s*$",
    re.I,
)


def is_page_number(line: str) -> bool:
    """'12', '- 10 -', '12-3', '3A-14', 'iv', 'Page 3 of 20': page furniture, never text."""
    return bool(PAGE_NUMBER.match(line))
