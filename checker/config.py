"""`[tool.rulealign]` in pyproject.toml, overridden by CLI flags, frozen into one `Config`."""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from checker.errors import InputError, problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SIGNALS = ("lexical", "concept", "anchor", "fuzzy", "scope", "semantic")
# Without a calibration file: the weights last fitted on the label files, on the raw scale.
DEFAULT_WEIGHTS = {"lexical": 0.12, "concept": 0.04, "anchor": 0.24, "fuzzy": 0.0, "scope": 0.60}
KEYS = {"rules", "measures", "concepts", "out", "threshold", "top", "weights", "targets", "decisions",
        "baseline", "score_margin", "fail_on", "calibration", "semantic"}
DEFAULT_FAIL_ON = ("no-longer-aligned", "suspect", "uncovered-binding-grew", "target-missed")


@dataclass(frozen=True)
class Config:
    rules: tuple[Path, ...] = ()
    measures: tuple[str, ...] = ()
    concepts: Path | None = None
    out: Path = Path("reports")
    threshold: float = 0.72
    top: int = 10
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    targets: dict[str, dict[str, float]] = field(default_factory=dict)
    decisions: Path | None = None  # the reviewers' ledger (YAML, kept in git)
    baseline: Path | None = None  # the committed baseline `check` compares with, when asked to
    score_margin: float = 0.1  # a link's score may drop this much before it is reported
    fail_on: tuple[str, ...] = DEFAULT_FAIL_ON
    # Platt scaling fitted on the gold labels: score = 1 / (1 + exp(-(a * raw + b))), a confidence.
    confidence: tuple[float, float] | None = None
    calibration: Path | None = None  # the file weights, threshold and confidence came from
    semantic: bool = False  # add sentence-embedding similarity (needs the `semantic` extra)
    source: str = "defaults"  # where the settings came from, for the result's config block

    def with_overrides(self, **flags: Any) -> Config:
        """Apply CLI flags; None means 'not given'."""
        given = {k: v for k, v in flags.items() if v not in (None, (), [])}
        if "rules" in given:
            given["rules"] = tuple(Path(p) for p in given["rules"])
        if "measures" in given:
            given["measures"] = tuple(str(p) for p in given["measures"])
        if "out" in given:
            given["out"] = Path(given["out"])
        for key in ("concepts", "decisions", "baseline"):
            if key in given:
                given[key] = Path(given[key])
        if "fail_on" in given:
            given["fail_on"] = tuple(given["fail_on"])
        cfg = replace(self, **given)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        where = self.source
        if not 0.0 <= self.score_margin <= 1.0:
            raise InputError(problem(where, None, f"score_margin must be between 0 and 1, not {self.score_margin}"))
        if not 0.0 <= self.threshold <= 1.0:
            raise InputError(problem(where, None, f"threshold must be between 0 and 1, not {self.threshold}"))
        if self.top < 1:
            raise InputError(problem(where, None, f"top must be at least 1, not {self.top}"))
        unknown = set(self.weights) - set(SIGNALS)
        if unknown:
            known = ", ".join(SIGNALS)
            raise InputError(problem(where, None, f"unknown signal weight(s) {sorted(unknown)} (known: {known})"))
        if any(w < 0 for w in self.weights.values()) or sum(self.weights.values()) <= 0:
            raise InputError(problem(where, None, "weights must be non-negative and not all zero"))

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["rules"] = [str(p) for p in self.rules]
        d["measures"] = list(self.measures)
        for key in ("concepts", "decisions", "baseline", "calibration"):
            d[key] = str(getattr(self, key)) if getattr(self, key) else None
        d["confidence"] = {"a": self.confidence[0], "b": self.confidence[1]} if self.confidence else None
        d["out"] = str(self.out)
        d["fail_on"] = list(self.fail_on)
        return d


def find_pyproject(start: Path) -> Path | None:
    for d in [start, *start.parents]:
        candidate = d / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None = None, cwd: Path | None = None) -> Config:
    """Read `[tool.rulealign]`; paths in it are relative to the pyproject.toml's directory."""
    cwd = cwd or Path.cwd()
    path = path or find_pyproject(cwd)
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(problem(path, None, f"cannot read configuration ({exc})")) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(problem(path, getattr(exc, "lineno", None), f"malformed TOML: {exc}")) from None
    section = data.get("tool", {}).get("rulealign")
    if section is None:
        return Config()
    base = path.parent

    def rel(p: str) -> Path:
        q = Path(p)
        return q if q.is_absolute() else _relative(base / q, cwd)

    unknown = set(section) - KEYS
    if unknown:
        raise InputError(problem(path, None, f"unknown key(s) in [tool.rulealign]: {', '.join(sorted(unknown))}"))
    kwargs: dict[str, Any] = {"source": str(_relative(path, cwd))}
    if "calibration" in section:
        cal_path = rel(str(section["calibration"]))
        kwargs.update(load_calibration(cal_path))
        kwargs["calibration"] = cal_path
    try:
        if "rules" in section:
            kwargs["rules"] = tuple(rel(p) for p in _strings(section["rules"], "rules"))
        if "measures" in section:
            kwargs["measures"] = tuple(str(rel(p)) for p in _strings(section["measures"], "measures"))
        if "concepts" in section:
            kwargs["concepts"] = rel(str(section["concepts"]))
        if "out" in section:
            kwargs["out"] = rel(str(section["out"]))
        if "threshold" in section:
            kwargs["threshold"] = float(section["threshold"])
        if "top" in section:
            kwargs["top"] = int(section["top"])
        if "weights" in section:
            kwargs["weights"] = {str(k): float(v) for k, v in section["weights"].items()}
        if "targets" in section:
            kwargs["targets"] = {str(k): dict(v) for k, v in section["targets"].items()}
        for key in ("decisions", "baseline"):
            if key in section:
                kwargs[key] = rel(str(section[key]))
        if "semantic" in section:
            kwargs["semantic"] = bool(section["semantic"])
        if "score_margin" in section:
            kwargs["score_margin"] = float(section["score_margin"])
        if "fail_on" in section:
            kwargs["fail_on"] = tuple(_strings(section["fail_on"], "fail_on"))
    except (TypeError, ValueError, AttributeError) as exc:
        raise InputError(problem(path, None, f"bad value in [tool.rulealign]: {exc}")) from None
    cfg = Config(**kwargs)
    cfg.validate()
    return cfg


def _strings(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise TypeError(f"{key} must be a path or a list of paths")


def _relative(p: Path, cwd: Path) -> Path:
    try:
        return p.resolve().relative_to(cwd.resolve())
    except ValueError:
        return p


CALIBRATION_SCHEMA = "rulealign.calibration/1"


def load_calibration(path: Path) -> dict[str, Any]:
    """Weights, threshold and confidence mapping fitted by `rulealign evaluate --fit --write`.
    Keys set explicitly in [tool.rulealign] (or by flags) override them."""
    from checker.yamlio import LineDict, load_yaml

    data = load_yaml(path)
    if not isinstance(data, LineDict) or data.get("schema") != CALIBRATION_SCHEMA:
        raise InputError(problem(path, 1, f"not a calibration file (expected schema {CALIBRATION_SCHEMA})"))
    try:
        out: dict[str, Any] = {"weights": {str(k): float(v) for k, v in data["weights"].items()},
                               "threshold": float(data["threshold"])}
        conf = data.get("confidence")
        if conf:
            out["confidence"] = (float(conf["a"]), float(conf["b"]))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(problem(path, 1, f"bad calibration file: {exc}")) from None
    return out
