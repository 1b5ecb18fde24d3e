"""YAML reading that remembers line numbers, so every error can name `file:line`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from checker.errors import InputError, Problem, problem


class LineDict(dict):
    """A mapping from YAML that knows the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[str(key)] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    return out


def _construct_timestamp_as_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Dates stay ISO strings: they are identifiers here, and JSON cannot hold date objects.
    return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)


def read_text(path: Path) -> str:
    """Read UTF-8 text; a file that is not UTF-8 is an input error naming the line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(problem(path, None, f"cannot read file ({exc.strerror})")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            problem(path, line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        ) from None


def load_yaml(path: Path) -> Any:
    text = read_text(path)
    if "\n<<<<<<< " in "\n" + text or "\n>>>>>>> " in "\n" + text:
        line = next(
            i
            for i, ln in enumerate(text.splitlines(), 1)
            if ln.startswith(("<<<<<<< ", ">>>>>>> ", "======="))
        )
        raise InputError(problem(path, line, "unresolved merge-conflict marker"))
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "malformed YAML"
        raise InputError(problem(path, line, f"malformed YAML: {what}")) from None
    except yaml.YAMLError as exc:
        raise InputError(problem(path, None, f"malformed YAML: {exc}")) from None


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a temp file in the same directory, then rename: never a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        # mkstemp makes the file private; give it the mode a plain open() would have.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def unknown_fields(path: Path | str, node: LineDict, allowed: set[str], what: str) -> list[Problem]:
    """A typo in a field name would otherwise drop its value silently: report it with its line."""
    hint = ", ".join(sorted(allowed))
    return [problem(path, node.line_of(key), f"unknown field {key!r} in {what} (allowed: {hint})")
            for key in node if key not in allowed]
