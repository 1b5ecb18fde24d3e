"""Evaluation against gold labels: the metrics on hand-made scores, the gold loader, and the
held-out accuracy of the shipped calibration procedure on the shipped gold labels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from checker.cli import cli
from checker.config import load_calibration, load_config
from checker.errors import InputError
from checker.evaluate import (
    Case,
    article_scores_for,
    evaluate_command,
    evaluate_many,
    fit,
    load_gold,
    misses,
    platt,
    sigmoid,
)

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "gold.yaml"


def small_case() -> tuple[np.ndarray, Case]:
    # 4 measures x 5 articles; article 4 is wholly suspended (cannot make a measure aligned).
    scores = np.array([
        [0.9, 0.2, 0.1, 0.0, 0.0],  # gold {0}: first
        [0.5, 0.8, 0.3, 0.1, 0.0],  # gold {2}: third
        [0.1, 0.1, 0.1, 0.1, 0.7],  # no gold; its best is the suspended article
        [0.6, 0.0, 0.0, 0.0, 0.0],  # no gold, but scores above the threshold: a false aligned
    ])
    case = Case(("m1", "m2", "m3", "m4"), ("a0", "a1", "a2", "a3", "a4"),
                (frozenset({0}), frozenset({2}), frozenset(), frozenset()),
                np.array([True, True, True, True, False]))
    return scores, case


def test_metrics_match_a_hand_count() -> None:
    scores, case = small_case()
    (m,) = evaluate_many(scores, case, [0.45], top=3)
    assert (m.measures, m.docking) == (4, 2)
    assert m.hit1 == pytest.approx(0.5) and m.hit5 == pytest.approx(1.0)
    assert m.mrr == pytest.approx((1 + 1 / 3) / 2)
    # links at 0.45: m1->a0 (right), m2->a1 and m2->a0 (wrong), m3->a4 (wrong), m4->a0 (wrong)
    assert m.link_precision == pytest.approx(1 / 5) and m.link_recall == pytest.approx(1 / 2)
    # aligned: m1, m2 (right), m4 (wrong); m3's only link is suspended, so it is not aligned
    assert m.measure_precision == pytest.approx(2 / 3) and m.measure_recall == pytest.approx(1.0)
    assert m.measure_f1 == pytest.approx(0.8)


def test_thresholds_are_evaluated_together_and_misses_name_the_rank() -> None:
    scores, case = small_case()
    low, high = evaluate_many(scores, case, [0.45, 0.85], top=3)
    assert (low.hit1, low.mrr) == (high.hit1, high.mrr)  # ranking does not depend on the threshold
    assert high.measure_recall == pytest.approx(0.5) and high.measure_precision == pytest.approx(1.0)
    (miss,) = misses(scores, case)
    assert miss["measure"] == "m2" and miss["gold"] == ["a2"] and miss["gold_rank"] == 3
    assert [t["article"] for t in miss["top"]] == ["a1", "a0", "a2"]


def test_platt_scaling_orders_and_separates_scores() -> None:
    raw = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.8])
    labels = np.array([0, 0, 0, 1, 1, 1])
    a, b = platt(raw, labels)
    conf = sigmoid(raw, a, b)
    assert a > 0 and np.all(np.diff(conf) > 0)
    assert conf[:3].max() < 0.5 < conf[3:].min()


def test_gold_paragraph_and_annex_ids_count_for_their_article(tmp_path: Path) -> None:
    path = tmp_path / "gold.yaml"
    path.write_text(
        "schema: rulealign.gold/1\nmeasures:\n"
        "  - measure: m1\n    articles:\n      - article: cptpp:14.11.2\n        why: the paragraph\n"
        "      - article: cptpp:14.11\n        why: its article again\n"
        "  - measure: m2\n    articles:\n      - article: cptpp:annex-11-B.B.1\n        why: an annex section\n"
        "  - measure: m3\n    articles: []\n    why: nothing docks\n", encoding="utf-8")
    gold = load_gold(path, {"cptpp:14.11", "cptpp:annex-11-B"})
    assert gold.entries["m1"].articles == ("cptpp:14.11",)
    assert gold.entries["m2"].articles == ("cptpp:annex-11-B",)
    assert gold.entries["m3"].articles == ()


def test_gold_errors_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "gold.yaml"
    path.write_text(
        "schema: rulealign.gold/1\nmeasures:\n"
        "  - measure: m1\n    articles:\n      - article: cptpp:99.1\n        why: no such article\n"
        "  - measure: m1\n    articles: []\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_gold(path, {"cptpp:14.11"})
    assert f"{path}:7: second entry for m1" in str(err.value)
    path.write_text(path.read_text(encoding="utf-8").replace("  - measure: m1\n    articles: []\n", ""),
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_gold(path, {"cptpp:14.11"})
    assert f"{path}:5: unknown article id 'cptpp:99.1'" in str(err.value)


def test_evaluate_cli_reports_a_bad_gold_file_with_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "gold.yaml"
    bad.write_text("schema: rulealign.gold/1\nmeasures:\n  - measure: no-such-measure\n    articles: []\n",
                   encoding="utf-8")
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["evaluate", "--gold", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:3" in result.output and "no-such-measure" in result.output
    assert "Traceback" not in result.output


# The accuracy targets of the matching, held out: every fold is scored with weights and a threshold
# fitted on the other folds. About 40 s each (a pipeline run plus six grid searches).

@pytest.fixture(scope="module")
def held_out(tmp_path_factory: pytest.TempPathFactory) -> dict:
    config = load_config(ROOT / "pyproject.toml")
    out = tmp_path_factory.mktemp("evaluate") / "calibration.yaml"
    text, doc = evaluate_command(config, GOLD, write_path=out)
    assert "held-out (5-fold cross-validation" in text
    # The refit writes a calibration file the configuration loads: the one-command refit.
    refit = load_calibration(out)
    assert refit["weights"] == doc["fit"]["weights"]
    assert refit["threshold"] == pytest.approx(doc["fit"]["threshold"])
    return doc


def test_held_out_accuracy_on_the_gold_labels_meets_the_targets(held_out: dict) -> None:
    m = held_out["held_out"]
    assert (m["measures"], m["docking"]) == (105, 63)
    assert m["hit1"] >= 0.85 and m["hit5"] >= 0.95 and m["measure_f1"] >= 0.90, json.dumps(m)


def test_shipped_calibration_is_the_fit_on_the_label_files_it_names() -> None:
    # `rulealign evaluate --gold A --gold B ... --write rules/calibration.yaml` is the one-command
    # refit; the file records which label files it was fitted on, and refitting reproduces it.
    import yaml

    shipped = load_config(ROOT / "pyproject.toml")
    cal = yaml.safe_load((ROOT / "rules" / "calibration.yaml").read_text(encoding="utf-8"))
    files = [ROOT / p for p in cal["gold"].split(" + ")]
    assert GOLD in files and len(files) >= 2 and cal["measures"] >= 150
    _, doc = evaluate_command(shipped, files)
    assert doc["held_out"]["measures"] == cal["measures"]
    assert shipped.weights == doc["fit"]["weights"]
    assert shipped.threshold == pytest.approx(doc["fit"]["threshold"], abs=1e-4)


def test_chinese_texts_alone_reach_hit5_of_085() -> None:
    config = load_config(ROOT / "pyproject.toml")
    _, doc = evaluate_command(config, GOLD, chinese=True)
    assert doc["chinese"] is True
    assert doc["held_out"]["hit5"] >= 0.85, json.dumps(doc["held_out"])


def test_fit_searches_the_scope_weight_in_closed_form_that_combine_reproduces() -> None:
    # 6 measures x 8 clauses in 4 articles; measure 5 has no English text (lexical drops out).
    rng = np.random.default_rng(7)
    clause_article = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    lexical = rng.random((6, 8))
    anchor = rng.random((6, 8))
    scope = np.repeat(np.array([1.0, 1.0, 0.0, 1.0, 0.2, 1.0])[:, None], 8, axis=1)
    gold = (frozenset({0}), frozenset({1}), frozenset(), frozenset({3}), frozenset(), frozenset({2}))
    case = Case(tuple(f"m{i}" for i in range(6)), ("a0", "a1", "a2", "a3"), gold, np.ones(4, bool))
    signals = {"lexical": lexical, "anchor": anchor, "scope": scope}
    available = {"lexical": np.array([True] * 5 + [False])}
    rows = np.arange(6)
    f = fit(signals, available, clause_article, case, rows, top=3, step=0.25)
    assert set(f.weights) == {"lexical", "anchor", "scope"} and f.weights["scope"] > 0
    assert sum(f.weights.values()) == pytest.approx(1.0)
    again = evaluate_many(article_scores_for(signals, f.weights, available, clause_article, 4), case,
                          [f.threshold], top=3)[0]
    assert again == f.train
