"""The shipped concept lexicon: it loads, its `see` ids exist, and it tags what it should (and only that)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker import text as textmod
from checker.concepts import Concept, ConceptTagger, load_concepts
from checker.corpus import load_agreement
from checker.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
LEXICON = ROOT / "rules" / "concepts.yaml"
CPTPP = ROOT / "rules" / "cptpp"
DEPA = ROOT / "rules" / "depa"

# Ids that other tests, the fixtures and saved results rely on: they must never disappear.
KEPT_IDS = {
    "cross-border-data-transfer", "data-localisation", "personal-information-protection", "single-window",
    "paperless-trading", "electronic-invoicing", "electronic-payments", "digital-identity", "source-code",
    "new-financial-services", "financial-institution", "cross-border-financial-services", "sme-cooperation",
    "number-portability", "international-roaming", "submarine-cables", "temporary-entry", "senior-management",
    "express-shipments", "advance-rulings", "release-of-goods", "ip-patents", "ip-geographical-indications",
    "soe-commercial-considerations", "open-government-data", "artificial-intelligence", "fintech",
}

# Single words that say nothing on their own: no concept may use one (after lemmatising, so
# "securities" -> "security" and "futures" -> "future" are caught too).
GENERIC = {"service", "measure", "party", "transfer", "trade", "good", "information", "security", "future",
           "publish", "publication", "environment", "procurement", "tax", "data", "datum", "law", "right",
           "agreement", "cooperation", "investment", "enterprise", "business", "market", "product",
           "digital", "online", "international", "foreign", "domestic", "regulation", "government", "custom"}


@pytest.fixture(scope="module")
def concepts() -> list[Concept]:
    return load_concepts(LEXICON)


@pytest.fixture(scope="module")
def tagger(concepts: list[Concept]) -> ConceptTagger:
    return ConceptTagger(concepts)


def tags(tagger: ConceptTagger, text: str | None = None, text_zh: str | None = None) -> set[str]:
    analysed = textmod.analyse([text], [text_zh])
    return set(tagger.tag(analysed)[0].found)


def shipped_ids(directory: Path) -> set[str]:
    agreement = load_agreement(directory)
    return {a.id for a in agreement.articles} | {c.id for a in agreement.articles for c in a.clauses}


def test_lexicon_loads_with_at_least_150_concepts(concepts: list[Concept], tagger: ConceptTagger) -> None:
    assert len(concepts) >= 150
    assert {c.id for c in concepts} >= KEPT_IDS


def test_every_concept_has_english_chinese_forms_and_a_home(concepts: list[Concept]) -> None:
    for c in concepts:
        assert c.label_zh, c.id
        if c.kind == "rule":
            assert c.see, c.id
            assert (c.en and c.zh) or c.implied_by, c.id
        else:  # parts and out-of-scope markers are found by their own words and have no home
            assert c.en and c.zh and not c.see and not c.implied_by, c.id


def test_no_concept_uses_a_bare_generic_word(concepts: list[Concept]) -> None:
    nlp = textmod.english()
    offenders = []
    for c in concepts:
        if c.kind == "part":  # generic on purpose: a part only counts next to the others of its set
            continue
        for form in c.en:
            doc = nlp(form.lower())
            if len(doc) == 1 and textmod.normalise_lemma(doc[0].lemma_) in GENERIC:
                offenders.append(f"{c.id}: {form}")
    assert not offenders


def test_every_see_id_exists_in_the_shipped_rules(concepts: list[Concept]) -> None:
    known = shipped_ids(CPTPP)
    depa_modules = {int(m.group(1)) for p in DEPA.glob("m*.yaml") if (m := re.fullmatch(r"m(\d+)\.yaml", p.name))}
    if depa_modules:
        known |= shipped_ids(DEPA)
    missing = []
    for c in concepts:
        for ref in c.see:
            if ref.startswith("depa:"):
                # DEPA modules may still be being written: check an id once its module file exists.
                module = re.match(r"depa:(?:annex-)?(\d+)", ref)
                assert module, f"{c.id}: malformed DEPA id {ref}"
                if int(module.group(1)) not in depa_modules:
                    continue
            elif not ref.startswith("cptpp:"):
                missing.append(f"{c.id}: {ref} (unknown agreement)")
                continue
            if ref not in known:
                missing.append(f"{c.id}: {ref}")
    assert not missing


@pytest.mark.parametrize(("text", "text_zh", "concept"), [
    ("SMEs", None, "sme-cooperation"),
    ("small and medium-sized enterprises", None, "sme-cooperation"),
    ("Support operators of data centres in the zone.", None, "data-localisation"),
    ("Users keep their number when switching operator.", None, "number-portability"),
    (None, "推进国际贸易单一窗口建设", "single-window"),
    (None, "便利数据出境", "cross-border-data-transfer"),
    ("Let firms send data abroad for their business.", None, "cross-border-data-transfer"),
    ("Accept electronic trade documents in place of paper.", None, "paperless-trading"),
    ("Foreign banks may supply new financial services.", None, "new-financial-services"),
    ("Relax the nationality requirements for senior management and boards of directors.", None,
     "senior-management"),
    ("Extend the term of a patent to make up for delays by the patent granting authority.", None,
     "patent-term-adjustment"),
])
def test_tagging_examples(tagger: ConceptTagger, text: str | None, text_zh: str | None, concept: str) -> None:
    assert concept in tags(tagger, text, text_zh)


def test_lemma_traps_do_not_fire_financial_concepts(tagger: ConceptTagger) -> None:
    # "securities" and "futures" lemmatise to "security" and "future".
    found = tags(tagger, "The security of the network matters for the future of the region.")
    assert not {"securities-services", "financial-institution"} & found


def test_unrelated_sentence_gives_no_concept(tagger: ConceptTagger) -> None:
    assert tags(tagger, "Renovate the riverside park and plant more trees along the cycling path.",
                "改造滨河公园，沿自行车道增植树木。") == set()


def tagging(tagger: ConceptTagger, text: str | None = None, text_zh: str | None = None):
    return tagger.tag(textmod.analyse([text], [text_zh]))[0]


def test_a_foreign_insurer_setting_up_reads_as_financial_national_treatment(tagger: ConceptTagger) -> None:
    t = tagging(tagger, "Overseas insurance companies may set up insurance asset-management companies.",
                "支持境外保险公司直接发起设立保险资产管理公司。")
    assert "financial-services-opening" in t.found
    # The sector concept that implied it is absorbed, and the general Chapter 9/10 reading cannot
    # reuse the same words (the financial services chapter prevails).
    assert "insurance-services" not in t.found
    assert "foreign-establishment" not in t.found
    # Parts never leave the tagger; the implied concept carries their words as its evidence.
    assert not {"foreign-firm", "entry-action"} & set(t.found)
    assert {"境外保险公司", "设立"} <= set(t.found["financial-services-opening"])


def test_implied_concepts_need_every_member_of_a_set(tagger: ConceptTagger) -> None:
    # A foreign firm alone, or a sector alone, implies nothing.
    assert "foreign-establishment" not in tags(tagger, "Foreign-invested enterprises report their annual results.")
    assert "financial-services-opening" not in tags(tagger, "Insurance companies may set up branches.")
    # A foreign doctor who may open a clinic is establishment by a foreign professional.
    assert "foreign-establishment" in tags(tagger, "Foreign doctors may open clinics in the city.")
    # A foreign national working in securities is the nationality of financial staff (Art. 11.9).
    assert "financial-staff-nationality" in tags(tagger, None, "允许外籍人员从事证券投资咨询业务。")


def test_outside_markers_are_kept_apart_from_trade_rule_concepts(tagger: ConceptTagger) -> None:
    t = tagging(tagger, "Give rent subsidies to cross-border e-commerce firms that move into the industrial park.",
                "对入驻产业园的跨境电商企业给予房租补贴。")
    assert {"support-funding", "building-works"} <= set(t.outside)
    assert not {"support-funding", "building-works"} & set(t.found)
    assert tagging(tagger, "Customs may grant preferential tariff treatment after release.").outside == {}


@pytest.mark.parametrize(("body", "message"), [
    ("  - id: x\n    kind: sometimes\n    en: [alpha]\n", "kind must be one of rule, part, outside"),
    ("  - id: x\n    implied_by: [[nope]]\n    see: [cptpp:1.1]\n", "implied_by names unknown concept 'nope'"),
    ("  - id: x\n    implied_by: alpha\n", "'implied_by' must be a list of lists of concept ids"),
    ("  - id: p\n    kind: part\n    en: [alpha]\n    see: [cptpp:1.1]\n", "a 'part' concept takes no 'see'"),
    ("  - id: o\n    kind: outside\n    en: [beta]\n  - id: x\n    implied_by: [[o]]\n    see: [cptpp:1.1]\n",
     "implied_by may only name 'rule' or 'part' concepts"),
])
def test_bad_kinds_and_implied_sets_are_reported_with_their_line(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "concepts.yaml"
    path.write_text("concepts:\n" + body, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_concepts(path)
    text = str(err.value)
    assert message in text and f"{path}:" in text
