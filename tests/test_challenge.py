"""Pruebas de ``helpers.challenge`` (el desafío) y de la forma de su notebook.

Las comprobaciones del desafío leen el estado del notebook del estudiante, así
que no pasan por ``tests/test_wrong_answers.py``: acá se prueban directamente,
con entradas buenas y con trampas o errores plausibles (el *Martín Fierro* con
otro nombre, particiones que comparten oraciones, perplejidades escritas a mano
o calculadas en otra partición, tablas incompletas o fuera de rango, filas que
dicen ser greedy y no lo son…). Cada trampa tiene que lanzar ``AssertionError``
con un mensaje en castellano.

Los casos con corpus reales usan ``COURSE_DATA_MIRROR`` (o ``../shared/corpora``)
y se saltean sin ellos; los del modelo usan un corpus sintético y un modelo
diminuto que entrena en segundos.
"""

from __future__ import annotations

import copy
import math
import os
import random
import re
import unicodedata
from collections import Counter
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

from helpers import challenge as C
from tools import ROOT

# Sus fixtures de módulo (modelos, corpus, clases simuladas) se arman una sola vez:
# todas las pruebas del módulo van al mismo proceso de xdist (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("challenge")

MIRROR = ROOT.parent / "shared" / "corpora"
NOTEBOOK = ROOT / "solutions" / "desafio" / "desafio_generacion.ipynb"


def _fails(fn, *fragments: str) -> str:
    """``fn()`` tiene que lanzar AssertionError cuyo mensaje contenga los fragmentos."""
    with pytest.raises(AssertionError) as info:
        fn()
    msg = str(info.value)
    for fragment in fragments:
        assert fragment in msg, f"falta {fragment!r} en el mensaje: {msg}"
    return msg


# ---------------------------------------------------------------------------
# Métricas
# ---------------------------------------------------------------------------
def test_distinct_n_pools_texts_and_ignores_specials() -> None:
    texts = [["a", "b", "<unk>", "a", "b", "</s>"], ["a", "c"]]
    # palabras: a b a b | a c  → 3 distintas de 6; bigramas: ab ba ab | ac → 3 de 4
    assert C.distinct_n(texts, 1) == pytest.approx(3 / 6)
    assert C.distinct_n(texts, 2) == pytest.approx(3 / 4)
    assert C.distinct_n([["</s>"], []], 1) == 0.0
    with pytest.raises(ValueError):
        C.distinct_n(texts, 0)


def test_repetition_counts_within_each_text_only() -> None:
    texts = [["a", "b", "a", "a", "</s>"], ["a", "<unk>", "<unk>"]]
    # primer texto: a b a a → 2 repetidas; segundo: a (la de antes no cuenta)
    assert C.repetition_rate(texts) == pytest.approx(2 / 5)
    assert C.repetition_rate([[], ["</s>"]]) == 0.0


def test_length_and_finished() -> None:
    texts = [["a", "b", "</s>"], ["a", "<unk>", "c", "d"]]
    assert C.mean_length(texts) == pytest.approx((2 + 4) / 2)
    assert C.finished_rate(texts) == pytest.approx(0.5)
    assert C.mean_length([]) == 0.0 and C.finished_rate([]) == 0.0
    assert set(C.text_metrics(texts)) == set(C.METRICS) - {"perplejidad"}


def test_table_row_from_a_generation() -> None:
    from helpers.lm import Vocab

    vocab = Vocab(["a", "b", "c"])          # ids 4, 5, 6
    gen = SimpleNamespace(tokens=[[4, 5, 2], [6]], log_probs=np.array([-3.0, -1.5]))
    prompts = [[3, 4], [3, 6]]
    row = C.table_row("beam", {"ancho": 3, "alpha": 0.0}, prompts, gen, vocab)
    assert row["perplejidad"] == pytest.approx(math.exp(4.5 / 4))
    assert row["textos_iniciales"] == [["<s>", "a"], ["<s>", "c"]]
    assert row["generados"] == [["a", "b", "</s>"], ["c"]]
    assert row["terminan"] == pytest.approx(0.5) and row["largo"] == pytest.approx(1.5)
    assert row["semillas"] == [] and row["perplejidad_desvio"] == 0.0
    with pytest.raises(ValueError):
        C.table_row("muestreo", {}, prompts, gen, vocab)
    with pytest.raises(ValueError):
        C.table_row("greedy", {}, prompts[:1], gen, vocab)


def test_table_row_with_seeds_and_real_text() -> None:
    from helpers.lm import Vocab

    vocab = Vocab(["a", "b", "c"])          # ids 4, 5, 6; <unk> = 1
    prompts = [[3, 4], [3, 6]]
    g1 = SimpleNamespace(tokens=[[4, 2], [5]], log_probs=np.array([-2.0, -1.0]))
    g2 = SimpleNamespace(tokens=[[6, 6, 2], [4]], log_probs=np.array([-3.0, -3.0]))
    row = C.table_row("temperatura", {"T": 1.0}, prompts, [g1, g2], vocab, seeds=[7, 8])
    ppl = [math.exp(3.0 / 3), math.exp(6.0 / 4)]
    assert row["semillas"] == [7, 8] and len(row["generados"]) == 4
    assert row["perplejidad"] == pytest.approx(np.mean(ppl))
    assert row["perplejidad_desvio"] == pytest.approx(np.std(ppl, ddof=1))
    assert row["largo_desvio"] == pytest.approx(np.std([1.0, 1.5], ddof=1))
    # Texto real: los <unk> no son objetivos (la generación no puede producirlos).
    real = SimpleNamespace(tokens=[[4, 1, 2], [1, 5]], log_probs=np.array([-2.0, -1.0]))
    row = C.table_row("texto real", {}, prompts, real, vocab)
    assert row["perplejidad"] == pytest.approx(math.exp(3.0 / 3))
    with pytest.raises(ValueError):
        C.table_row("temperatura", {"T": 1.0}, prompts, [g1], vocab, seeds=[1, 2])


# ---------------------------------------------------------------------------
# Corpus reales
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpora() -> dict[str, str]:
    from helpers.data import CorpusError, load_corpus

    mp = pytest.MonkeyPatch()
    if not os.environ.get("COURSE_DATA_MIRROR"):
        if not MIRROR.is_dir():
            pytest.skip("sin COURSE_DATA_MIRROR ni ../shared/corpora")
        mp.setenv("COURSE_DATA_MIRROR", str(MIRROR))
    try:
        yield {n: load_corpus(n) for n in ("martin_fierro", "don_quijote", "tiny_shakespeare")}
    except CorpusError as exc:  # pragma: no cover - espejo incompleto
        pytest.skip(f"corpus no disponible: {exc}")
    finally:
        mp.undo()


def _no_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def test_control_verses_are_the_documented_selection(corpora) -> None:
    from helpers.text import martin_fierro_stanzas, tokenize

    verses = [v for st in martin_fierro_stanzas(corpora["martin_fierro"]) for v in st]
    norm = Counter(_no_accents(" ".join(tokenize(v))) for v in verses)
    cands = [v.strip() for v in verses
             if len(tokenize(v)) >= 6 and norm[_no_accents(" ".join(tokenize(v)))] == 1]
    n = len(C.MARTIN_FIERRO_VERSES)
    assert n == 100
    assert list(C.MARTIN_FIERRO_VERSES) == [cands[i * len(cands) // n] for i in range(n)]
    # Distintivos: ninguno aparece en los otros corpus del catálogo.
    assert C.martin_fierro_share(corpora["don_quijote"]) == 0.0
    assert C.martin_fierro_share(corpora["tiny_shakespeare"]) == 0.0
    assert C.martin_fierro_share(corpora["martin_fierro"]) == 1.0


def test_martin_fierro_is_recognised_by_content(corpora) -> None:
    mf = corpora["martin_fierro"]
    lines = mf.splitlines()
    random.Random(0).shuffle(lines)
    for variant in (_no_accents(mf).upper(), " ".join(mf.split()), "\n".join(lines)):
        assert C.martin_fierro_share(variant) >= 0.9


def test_check_corpus_accepts_other_corpora(corpora) -> None:
    for name in ("don_quijote", "tiny_shakespeare"):
        C.check_corpus(name, corpora[name])
        C.check_corpus(name, corpora[name], max_martin_fierro=0.03)
    C.check_corpus("mi-texto_2", corpora["don_quijote"])


def test_check_corpus_rejects_martin_fierro_under_any_name(corpora) -> None:
    mf, quijote = corpora["martin_fierro"], corpora["don_quijote"]
    # Renombrado y repetido para pasar el tamaño: lo delata el contenido.
    _fails(lambda: C.check_corpus("don_quijote", "\n\n".join([mf] * 5)), "Martín Fierro", "100%")
    _fails(lambda: C.check_corpus("quijote", mf), "Martín Fierro")
    # Escondido dentro de otro texto, sin tildes y en mayúsculas.
    _fails(lambda: C.check_corpus("mezcla", quijote + "\n\n" + _no_accents(mf).upper()),
           "Martín Fierro")
    # Un pedazo chico: pasa la comprobación visible, no la oculta.
    piece = quijote + "\n\n" + "\n".join(mf.splitlines()[:300])
    C.check_corpus("mezcla", piece)
    _fails(lambda: C.check_corpus("mezcla", piece, max_martin_fierro=0.03), "Martín Fierro")
    # El nombre del poema, aunque el texto sea otro.
    _fails(lambda: C.check_corpus("Martin_Fierro", quijote), "CORPUS_NAME", "Martín Fierro")


def test_check_corpus_rejects_bad_names_and_short_texts(corpora) -> None:
    quijote = corpora["don_quijote"]
    for bad in ("", "mi texto", "quijote/1", "ñandú", "x" * 41):
        _fails(lambda: C.check_corpus(bad, quijote), "CORPUS_NAME")
    _fails(lambda: C.check_corpus(7, quijote), "CORPUS_NAME", "str")
    _fails(lambda: C.check_corpus("q", None), "texto")
    _fails(lambda: C.check_corpus("q", quijote[:100_000]), "50000 palabras", "tiene")


# ---------------------------------------------------------------------------
# Particiones
# ---------------------------------------------------------------------------
def _prose_groups(text: str, n: int | None = None) -> list[list[list[str]]]:
    from helpers.text import split_sentences, split_stanzas, tokenize

    groups = []
    for block in split_stanzas(text):
        docs = [d for d in (tokenize(s) for s in split_sentences(" ".join(block))) if d]
        if docs:
            groups.append(docs)
    return groups[:n]


@pytest.fixture(scope="module")
def quijote_splits(corpora):
    from helpers.lm import split_groups

    return split_groups(_prose_groups(corpora["don_quijote"], 600), 0.1, 0.1, seed=42)


def _as_dict(splits) -> dict[str, list[list[str]]]:
    return {k: [list(d) for d in splits[k]] for k in ("train", "val", "test")}


def test_check_splits_accepts_a_clean_split(corpora, quijote_splits) -> None:
    text = corpora["don_quijote"]
    C.check_splits(quijote_splits, text)
    C.check_splits(quijote_splits, text, check_sources=True, max_martin_fierro=0.03)
    C.check_splits(_as_dict(quijote_splits), text, check_sources=True)  # un dict también vale


def test_check_splits_finds_a_sentence_in_two_partitions(corpora, quijote_splits) -> None:
    from helpers.challenge import _as_stream, _count_upto
    from helpers.text import tokenize

    text = corpora["don_quijote"]
    stream = _as_stream(tokenize(text))
    leaked = next(d for d in quijote_splits.test
                  if len(d) > 8 and _count_upto(stream, _as_stream(d), 2) == 1)
    parts = _as_dict(quijote_splits)
    parts["train"].append(list(leaked))          # una oración de prueba, también en train
    _fails(lambda: C.check_splits(parts, text), "dos particiones", " ".join(leaked[:5]),
           "train ×1", "test ×1", "en el texto 1 vez")
    # Una frase que el texto repite de verdad puede estar en dos particiones.
    total = Counter(tuple(d) for k in ("train", "val", "test") for d in quijote_splits[k])
    repeated = next(d for d in quijote_splits.train
                    if total[tuple(d)] == 1 and _count_upto(stream, _as_stream(d), 2) == 2)
    parts = _as_dict(quijote_splits)
    parts["test"].append(list(repeated))
    C.check_splits(parts, text)


def test_check_splits_rejects_reused_partitions(corpora, quijote_splits) -> None:
    text = corpora["don_quijote"]
    parts = _as_dict(quijote_splits)
    _fails(lambda: C.check_splits({**parts, "val": parts["test"]}, text), "dos particiones")
    everything = parts["train"] + parts["val"] + parts["test"]
    _fails(lambda: C.check_splits({**parts, "train": everything}, text), "dos particiones")


def test_check_splits_sources_and_martin_fierro(corpora, quijote_splits) -> None:
    from helpers.lm import split_groups
    from helpers.text import martin_fierro_stanzas, tokenize

    text = corpora["don_quijote"]
    parts = _as_dict(quijote_splits)
    parts["val"][0] = "esta oración no está en el quijote ni por asomo".split()
    C.check_splits(parts, text)                  # sin superposición: la visible pasa
    _fails(lambda: C.check_splits(parts, text, check_sources=True), "no están en el texto",
           "esta oración no está")
    # Entrenar con el Martín Fierro mezclado, aunque `texto` sea otro.
    stanzas = martin_fierro_stanzas(corpora["martin_fierro"])
    mf_groups = [[tokenize(v) for v in st] for st in stanzas]
    mixed = split_groups(_prose_groups(text, 600) + mf_groups, 0.1, 0.1, seed=1)
    both = text + "\n\n" + corpora["martin_fierro"]
    C.check_splits(mixed, both, check_sources=True)
    _fails(lambda: C.check_splits(mixed, both, check_sources=True, max_martin_fierro=0.03),
           "Martín Fierro")


def test_check_splits_sizes_and_structure(corpora, quijote_splits) -> None:
    from helpers.lm import split_groups
    from helpers.text import martin_fierro_stanzas, tokenize

    text = corpora["don_quijote"]
    parts = _as_dict(quijote_splits)
    _fails(lambda: C.check_splits([parts["train"], parts["val"], parts["test"]], text), "Splits")
    _fails(lambda: C.check_splits({"train": parts["train"], "val": parts["val"]}, text), "'test'")
    _fails(lambda: C.check_splits({**parts, "val": []}, text), "splits['val']", "vacía")
    _fails(lambda: C.check_splits({**parts, "test": [" ".join(d) for d in parts["test"]]}, text),
           "splits['test'][0]", "tokenize")
    _fails(lambda: C.check_splits({**parts, "test": parts["test"][:5]}, text),
           "splits['test']", "1000 objetivos")
    small = split_groups([[tokenize(v) for v in st]
                          for st in martin_fierro_stanzas(corpora["martin_fierro"])])
    _fails(lambda: C.check_splits(small, corpora["martin_fierro"]), "splits['train']", "20000")
    more = [d for g in _prose_groups(text)[600:1600] for d in g]
    lopsided = {**parts, "test": parts["test"] + more}
    _fails(lambda: C.check_splits(lopsided, text), "al menos la mitad")


# ---------------------------------------------------------------------------
# Modelo diminuto sobre un corpus sintético
# ---------------------------------------------------------------------------
def _synthetic_groups(n_groups: int = 150, seed: int = 0) -> list[list[list[str]]]:
    """Oraciones con una gramática fija (predecible) y, a veces, palabras raras.

    ``rara<g>`` aparece dos veces en su grupo: entra al vocabulario (min_count = 2)
    solo si el grupo es de la partición con la que se lo ajusta. ``unica<g>``
    aparece una vez: siempre es ``<unk>``.
    """
    rng = np.random.default_rng(seed)
    sujetos = [["el", "hidalgo"], ["la", "sobrina"], ["el", "cura"], ["su", "escudero"]]
    verbos = ["lee", "cabalga", "duerme", "pelea", "come"]
    lugares = [["en", "la", "venta"], ["por", "el", "camino"], ["junto", "al", "molino"]]
    groups = []
    for g in range(n_groups):
        docs = []
        for k in range(3):
            doc = [*sujetos[rng.integers(4)], verbos[rng.integers(5)], *lugares[rng.integers(3)]]
            if k < 2 and g % 5 == 0:
                doc.append(f"rara{g}")           # dos veces, en un solo grupo
            if k == 2 and g % 3 == 0:
                doc.append(f"unica{g}")          # una sola vez: <unk> con min_count = 2
            docs.append(doc)
        groups.append(docs)
    return groups


@pytest.fixture(scope="module")
def tiny():
    from helpers.lm import LMConfig, split_groups, train_lm

    splits = split_groups(_synthetic_groups(), 0.15, 0.15, seed=3)
    config = LMConfig(corpus="sintetico", context_len=6, min_count=2, cell="lstm", embed_dim=8,
                      units=(16,), dropout=0.0, batch_size=32, learning_rate=1e-2, epochs=6,
                      patience=3, seed=1)
    return train_lm(config, splits=splits, verbose=0)


def _report(lm) -> dict[str, dict[str, float]]:
    from helpers import ngram

    def ppl(p):
        return float(np.exp(-np.mean(np.log(p))))

    parts, vocab = lm.splits, lm.vocab
    rep = {
        "modelo": {p: lm.perplexity(p) for p in ("val", "test")},
        "uniforme": {p: ppl(ngram.uniform_target_probs(parts[p], vocab)) for p in ("val", "test")},
        "unigrama": {p: ppl(ngram.unigram_target_probs(parts.train, parts[p], vocab))
                     for p in ("val", "test")},
    }
    for order, name in [(2, "kn_bigrama"), (3, "kn_trigrama")]:
        kn = ngram.fit_kneser_ney(parts.train, vocab, order)
        ngram.tune_discount(kn, parts.val, vocab, grid=(0.5, 0.8))
        rep[name] = {p: ngram.ngram_perplexity(kn, parts[p], vocab) for p in ("val", "test")}
    return rep


@pytest.fixture(scope="module")
def report(tiny):
    return _report(tiny)


def test_good_report_passes(tiny, report) -> None:
    C.check_report(report, tiny, tiny.splits, partitions=("val",), rtol=1e-2)
    C.check_report(report, tiny, tiny.splits, partitions=("val", "test"), rtol=1e-4)
    C.check_baselines(report, tiny, tiny.splits, partitions=("val", "test"))


def test_report_typed_by_hand_or_on_another_partition(tiny, report) -> None:
    bad = copy.deepcopy(report)
    bad["modelo"]["val"] = round(report["modelo"]["val"]) + 1.0
    _fails(lambda: C.check_report(bad, tiny, tiny.splits), "reporte['modelo']['val']",
           "recalculada", "a mano")
    bad = copy.deepcopy(report)
    bad["modelo"]["test"] = tiny.perplexity("train")
    C.check_report(bad, tiny, tiny.splits, partitions=("val",))   # la visible mira solo val
    _fails(lambda: C.check_report(bad, tiny, tiny.splits, partitions=("val", "test"), rtol=1e-4),
           "reporte['modelo']['test']", "Coincide con la perplejidad en 'train'")
    bad = copy.deepcopy(report)
    bad["modelo"]["val"], bad["modelo"]["test"] = report["modelo"]["test"], report["modelo"]["val"]
    assert abs(report["modelo"]["val"] / report["modelo"]["test"] - 1) > 1e-2  # distinguibles
    _fails(lambda: C.check_report(bad, tiny, tiny.splits), "Coincide con la perplejidad en 'test'")


def test_report_vocab_and_training_splits(tiny, report) -> None:
    from helpers.lm import Vocab, split_groups

    everything = [d for k in ("train", "val", "test") for d in tiny.splits[k]]
    leaky = SimpleNamespace(model=tiny.model, vocab=Vocab.fit(everything, min_count=2),
                            config=tiny.config,
                            splits=tiny.splits)
    _fails(lambda: C.check_report(report, leaky, tiny.splits), "lm.vocab", "TODAS las particiones")
    other = split_groups(_synthetic_groups(), 0.15, 0.15, seed=4)
    _fails(lambda: C.check_report(report, tiny, other), "lm.vocab")
    retrained = SimpleNamespace(model=tiny.model, vocab=tiny.vocab, config=tiny.config,
                                splits=SimpleNamespace(train=tiny.splits.train,
                                                       val=tiny.splits.test, test=tiny.splits.val))
    _fails(lambda: C.check_report(report, retrained, tiny.splits), "lm.splits['val']")
    _fails(lambda: C.check_report(report, object(), tiny.splits), "lm", "load_or_train")


def test_report_model_must_beat_the_unigram(tiny) -> None:
    from helpers.lm import build_lm

    untrained = SimpleNamespace(model=build_lm(len(tiny.vocab), tiny.config), vocab=tiny.vocab,
                                config=tiny.config, splits=tiny.splits)
    rep = _report(tiny)
    from helpers.lm import evaluate_perplexity, make_dataset

    for p in ("val", "test"):
        rep["modelo"][p] = evaluate_perplexity(
            untrained.model, make_dataset(tiny.splits[p], tiny.vocab, tiny.config.context_len))
    _fails(lambda: C.check_report(rep, untrained, tiny.splits), "le gane al unigrama")


def test_report_structure(tiny, report) -> None:
    cases = [
        ([1, 2], "reporte", "Mapping"),
        ({k: v for k, v in report.items() if k != "kn_trigrama"}, "faltan", "kn_trigrama"),
        ({**report, "unigrama": {"val": 3.0}}, "reporte['unigrama']", "'test'"),
        ({**report, "modelo": {"val": float("nan"), "test": 3.0}}, "reporte['modelo']['val']",
         "finito"),
        ({**report, "modelo": {"val": "12.5", "test": 3.0}}, "reporte['modelo']['val']", "número"),
        ({**report, "kn_bigrama": {"val": 0.5, "test": 3.0}}, "reporte['kn_bigrama']['val']",
         "al menos 1"),
    ]
    for bad, *fragments in cases:
        _fails(lambda: C.check_report(bad, tiny, tiny.splits), *fragments)


def test_baselines_recomputed(tiny, report) -> None:
    from helpers import ngram
    from helpers.lm import Vocab

    V = len(tiny.vocab)
    bad = copy.deepcopy(report)
    bad["uniforme"]["val"] = V - 4.0            # sin contar los especiales
    _fails(lambda: C.check_baselines(bad, tiny, tiny.splits), "reporte['uniforme']['val']", str(V))
    other_vocab = Vocab.fit(tiny.splits.train, min_count=3)
    probs = ngram.unigram_target_probs(tiny.splits.train, tiny.splits.test, other_vocab)
    bad = copy.deepcopy(report)
    bad["unigrama"]["test"] = float(np.exp(-np.mean(np.log(probs))))
    C.check_baselines(bad, tiny, tiny.splits, partitions=("val",))
    _fails(lambda: C.check_baselines(bad, tiny, tiny.splits, partitions=("test",)),
           "reporte['unigrama']['test']")
    for value in (V + 10.0, float("inf")):
        bad = copy.deepcopy(report)
        bad["kn_trigrama"]["val"] = value
        _fails(lambda: C.check_baselines(bad, tiny, tiny.splits), "reporte['kn_trigrama']['val']")


# ---------------------------------------------------------------------------
# La tabla de estrategias
# ---------------------------------------------------------------------------
STRATEGY_ROWS = [
    ("greedy", {}, dict(strategy="greedy")),
    ("beam", {"ancho": 2, "alpha": 0.0}, dict(strategy="beam", beam_width=2, alpha=0.0)),
    ("beam", {"ancho": 2, "alpha": 1.0}, dict(strategy="beam", beam_width=2, alpha=1.0)),
    ("beam", {"ancho": 4, "alpha": 0.0}, dict(strategy="beam", beam_width=4, alpha=0.0)),
    ("beam", {"ancho": 4, "alpha": 0.7}, dict(strategy="beam", beam_width=4, alpha=0.7)),
    ("temperatura", {"T": 0.5}, dict(strategy="sample", temperature=0.5)),
    ("temperatura", {"T": 1.0}, dict(strategy="sample", temperature=1.0)),
    ("temperatura", {"T": 2.0}, dict(strategy="sample", temperature=2.0)),
    ("top-k", {"k": 3}, dict(strategy="sample", top_k=3)),
    ("top-p", {"p": 0.6, "T": 1.3}, dict(strategy="sample", top_p=0.6, temperature=1.3)),
]
SEEDS = [0, 1, 2]


def _real_text(lm, docs, steps):
    """La continuación real de cada texto inicial y su log-prob sin los <unk>."""
    from helpers.decoding import Decoder, Generation

    dec, vocab = Decoder(lm.model), lm.vocab
    tokens, lps = [], []
    for d in docs:
        prompt = [vocab.bos_id] + vocab.encode(d[:1])
        cont = (vocab.encode(d[1:]) + [vocab.eos_id])[:steps]
        lp = sum(float(dec.next_log_probs(prompt + cont[:t])[tok])
                 for t, tok in enumerate(cont) if tok != vocab.unk_id)
        tokens.append(cont)
        lps.append(lp)
    return Generation(tokens, np.array(lps))


@pytest.fixture(scope="module")
def decoding(tiny):
    from helpers.decoding import Decoder

    vocab = tiny.vocab
    dec = Decoder(tiny.model, eos_id=vocab.eos_id, banned_ids=[vocab.unk_id, vocab.bos_id])
    docs = [d for d in tiny.splits.test if d[0] in vocab][:12]
    prompts = [[vocab.bos_id] + vocab.encode(d[:1]) for d in docs]

    def row(strategy, params, options, decoder=dec, seeds=None):
        if seeds is None and strategy in C.SAMPLING:
            seeds = SEEDS
        if seeds is None:
            return C.table_row(strategy, params, prompts, decoder.generate(prompts, 8, **options),
                               vocab)
        gens = [decoder.generate(prompts, 8, seed=s, **options) for s in seeds]
        return C.table_row(strategy, params, prompts, gens, vocab, seeds=seeds)

    real = C.table_row("texto real", {}, prompts, _real_text(tiny, docs, 8), vocab)
    table = [row(*r) for r in STRATEGY_ROWS] + [real]
    return SimpleNamespace(dec=dec, prompts=prompts, docs=docs, row=row, table=table)


def test_good_table_passes(tiny, decoding) -> None:
    C.check_table(decoding.table)
    C.check_table(decoding.table, recompute=True)
    C.check_table_model(decoding.table, tiny, rtol=1e-2)
    C.check_table_model(decoding.table, tiny, rtol=1e-4, check_strategies=True)


def test_generated_rows_must_not_contain_banned_tokens(tiny, decoding) -> None:
    """La generación prohíbe <unk>, <s> y <pad>: una fila generada que los tiene no pasa;
    el texto real sí puede tener <unk> (no cuentan en su perplejidad)."""
    for i, token in [(0, "<unk>"), (6, "<s>")]:
        bad = copy.deepcopy(decoding.table)
        bad[i]["generados"][1] = [token, *bad[i]["generados"][1]]
        _fails(lambda: C.check_table(bad), f"tabla[{i}]", repr(token), "prohíbe")
    assert any("<unk>" in g for g in decoding.table[-1]["generados"]), "el texto real sin <unk>"
    C.check_table(decoding.table)


def _without(table, strategy, **match):
    return [r for r in table if not (r["estrategia"] == strategy and all(
        r["parametros"].get(k) == v for k, v in match.items()))]


def test_table_must_cover_every_strategy(decoding) -> None:
    t = decoding.table
    _fails(lambda: C.check_table(_without(t, "top-p")), "'top-p'")
    _fails(lambda: C.check_table(_without(t, "greedy")), "'greedy'")
    _fails(lambda: C.check_table(_without(t, "top-k")), "'top-k'")
    _fails(lambda: C.check_table(_without(t, "beam", ancho=4)), "dos anchos")
    _fails(lambda: C.check_table(_without(t, "beam", alpha=1.0)), "dos anchos", "alpha = 0")
    _fails(lambda: C.check_table(_without(t, "temperatura", T=2.0)), "tres temperaturas",
           "[0.5, 1.0]")
    cold = copy.deepcopy(t)
    for r in cold:
        if r["estrategia"] == "temperatura" and r["parametros"]["T"] == 2.0:
            r["parametros"]["T"] = 0.8
    _fails(lambda: C.check_table(cold), "mayor que 1")
    _fails(lambda: C.check_table(t, min_prompts=20), "al menos 20 textos iniciales", "hay 12")


@pytest.mark.parametrize("metric, value, fragment", [
    ("distinct_2", 1.2, "entre 0 y 1"),
    ("distinct_1", -0.01, "entre 0 y 1"),
    ("repeticion", -0.1, "entre 0 y 1"),
    ("terminan", 1.5, "entre 0 y 1"),
    ("perplejidad", float("nan"), "al menos 1"),
    ("perplejidad", 0.5, "al menos 1"),
    ("largo", float("inf"), "finito"),
    ("largo", "7", "número"),
    ("distinct_1", True, "número"),
])
def test_table_values_out_of_range(decoding, metric, value, fragment) -> None:
    bad = copy.deepcopy(decoding.table)
    bad[6][metric] = value
    _fails(lambda: C.check_table(bad), "tabla[6] (temperatura, T=1)", f"'{metric}'", fragment)


def test_table_rows_structure(decoding) -> None:
    t = decoding.table
    _fails(lambda: C.check_table({"greedy": t[0]}), "lista de filas")
    _fails(lambda: C.check_table([]), "vacía")
    _fails(lambda: C.check_table([*t[:-1], "top-p"]), "tabla[10]", "diccionario")
    cases = [
        (0, "estrategia", "muestreo", "'estrategia'"),
        (1, "parametros", {"ancho": 1, "alpha": 0.0}, "entero >= 2"),
        (1, "parametros", {"alpha": 0.0}, "faltan ['ancho']"),
        (8, "parametros", {"k": 1}, "k = 1 es greedy"),
        (9, "parametros", {"p": 1.0}, "entre 0 y 1"),
        (5, "parametros", {"T": 0.0}, "> 0"),
        (2, "parametros", {"ancho": 2, "alpha": "uno"}, "número"),
        (0, "generados", [" ".join(g) for g in t[0]["generados"]], "listas de tokens"),
        (0, "generados", t[0]["generados"][:-1], "un texto generado por texto inicial"),
    ]
    for i, key, value, fragment in cases:
        bad = copy.deepcopy(t)
        bad[i][key] = value
        _fails(lambda: C.check_table(bad), f"tabla[{i}]", fragment)
    bad = copy.deepcopy(t)
    del bad[3]["distinct_2"]
    _fails(lambda: C.check_table(bad), "tabla[3]", "faltan las claves ['distinct_2']")


def test_metrics_typed_by_hand_fail_the_recomputation(decoding) -> None:
    bad = copy.deepcopy(decoding.table)
    bad[7]["distinct_1"] = min(1.0, bad[7]["distinct_1"] + 0.05)
    C.check_table(bad)                         # en rango: la visible pasa
    _fails(lambda: C.check_table(bad, recompute=True), "tabla[7]", "'distinct_1'", "recalculado")


def test_perplexity_typed_by_hand_fails(tiny, decoding) -> None:
    bad = copy.deepcopy(decoding.table)
    bad[3]["perplejidad"] *= 1.1
    C.check_table(bad, recompute=True)
    _fails(lambda: C.check_table_model(bad, tiny), "tabla[3] (beam, ancho=4, alpha=0)",
           "perplejidad", "a mano")
    # Sin el texto inicial (generados calculados desde <s> solo): otra perplejidad.
    bad = copy.deepcopy(decoding.table)
    bad[0]["textos_iniciales"] = [["<s>"] for _ in bad[0]["textos_iniciales"]]
    _fails(lambda: C.check_table_model(bad, tiny, rtol=1e-4), "tabla[0] (greedy)")


def test_rows_that_lie_about_their_strategy(tiny, decoding) -> None:
    t = decoding.table
    impostors = [
        (0, decoding.row("greedy", {}, dict(strategy="sample", temperature=1.5)),
         "no era la palabra más probable"),
        (8, decoding.row("top-k", {"k": 2}, dict(strategy="sample", temperature=3.0)),
         "no estaba entre las k = 2"),
        (9, decoding.row("top-p", {"p": 0.3}, dict(strategy="sample", temperature=2.0)),
         "núcleo de masa p = 0.3"),
    ]
    for i, row, fragment in impostors:
        bad = [*t[:i], row, *t[i + 1:]]
        C.check_table(bad, recompute=True)
        C.check_table_model(bad, tiny, rtol=1e-4)          # la perplejidad es honesta
        _fails(lambda: C.check_table_model(bad, tiny, rtol=1e-4, check_strategies=True),
               f"tabla[{i}]", fragment)


def test_tokens_outside_the_vocabulary(tiny, decoding) -> None:
    bad = copy.deepcopy(decoding.table)
    bad[5]["generados"][2] = ["dulcinea", "</s>"]
    _fails(lambda: C.check_table_model(bad, tiny), "tabla[5]", "'dulcinea'", "vocabulario")


def test_sampling_rows_need_three_seeds(tiny, decoding) -> None:
    t = decoding.table
    for seeds in ([0], [0, 1], [4, 4, 4]):
        bad = [*t[:6], decoding.row("temperatura", {"T": 1.0},
                                    dict(strategy="sample", temperature=1.0), seeds=seeds), *t[7:]]
        _fails(lambda: C.check_table(bad), "tabla[6] (temperatura, T=1)", "al menos 3 semillas")
        C.check_table_model(bad, tiny)   # lo cuenta la celda de la estructura, no la del modelo
    bad = copy.deepcopy(t)
    bad[6]["generados"] = bad[6]["generados"][:len(decoding.prompts)]   # una sola corrida
    _fails(lambda: C.check_table(bad), "tabla[6]", "por texto inicial y semilla")
    bad = copy.deepcopy(t)
    del bad[8]["distinct_2_desvio"]
    _fails(lambda: C.check_table(bad), "tabla[8]", "distinct_2_desvio")


def test_seed_spread_typed_by_hand_fails(tiny, decoding) -> None:
    bad = copy.deepcopy(decoding.table)
    bad[7]["perplejidad_desvio"] = 0.0                # como si fuera una sola corrida
    C.check_table(bad, recompute=True)
    _fails(lambda: C.check_table_model(bad, tiny), "tabla[7]", "desvío", "entre semillas")
    bad = copy.deepcopy(decoding.table)
    bad[9]["repeticion_desvio"] += 0.05
    _fails(lambda: C.check_table(bad, recompute=True), "tabla[9]", "'repeticion_desvio'")


def test_real_text_row_required_and_scored_without_unk(tiny, decoding) -> None:
    from helpers.decoding import Decoder, Generation

    t = decoding.table
    _fails(lambda: C.check_table(t[:-1]), "'texto real'")
    C.check_table_model(t, tiny, rtol=1e-4, check_strategies=True)
    # Con los <unk> como objetivos (lo que hacía la lección 6): otra perplejidad.
    vocab, dec = tiny.vocab, Decoder(tiny.model)
    real = _real_text(tiny, decoding.docs, 8)
    lps = [float(dec.score([p], [g])[0]) for p, g in zip(decoding.prompts, real.tokens, strict=True)]
    with_unk = C.table_row("texto real", {}, decoding.prompts, Generation(real.tokens, np.array(lps)),
                           vocab)
    n_all = sum(len(g) for g in real.tokens)
    with_unk["perplejidad"] = math.exp(-sum(lps) / n_all)
    bad = [*t[:-1], with_unk]
    _fails(lambda: C.check_table_model(bad, tiny), "texto real", "<unk>")


# ---------------------------------------------------------------------------
# El modelo del estudiante y sus decodificadores
# ---------------------------------------------------------------------------
def _keras_lm(V, *, mask=True, recurrent=True, activation=None, conv=False):
    import keras

    layers = [keras.Input(shape=(None,), dtype="int32"),
              keras.layers.Embedding(V, 8, mask_zero=mask)]
    if conv:
        layers.append(keras.layers.Conv1D(8, 1))          # no propaga la máscara
    layers.append(keras.layers.SimpleRNN(8) if recurrent else keras.layers.GlobalAveragePooling1D())
    layers.append(keras.layers.Dense(V, activation=activation))
    return keras.Sequential(layers)


def test_check_model_accepts_the_class_architectures(tiny) -> None:
    C.check_model(tiny.model, tiny.vocab, tiny.config.context_len)       # LSTM
    C.check_model(_keras_lm(len(tiny.vocab)), tiny.vocab, 6)
    C.check_model(_keras_lm(len(tiny.vocab)), tiny.vocab, 9, batch=7, seed=1)


@pytest.mark.filterwarnings("ignore:Layer 'conv1d'")
def test_check_model_rejects_plausible_mistakes(tiny) -> None:
    V = len(tiny.vocab)
    _fails(lambda: C.check_model(_keras_lm(V, mask=False), tiny.vocab, 6), "mask_zero=True")
    _fails(lambda: C.check_model(_keras_lm(V, conv=True), tiny.vocab, 6),
           "rellenar con <pad>", "máscara")
    _fails(lambda: C.check_model(_keras_lm(V, activation="softmax"), tiny.vocab, 6), "logits",
           "softmax")
    _fails(lambda: C.check_model(_keras_lm(V, recurrent=False), tiny.vocab, 6), "recurrente")
    _fails(lambda: C.check_model(_keras_lm(V + 3), tiny.vocab, 6), "V =")
    _fails(lambda: C.check_model(object(), tiny.vocab, 6), "modelo de Keras")


_MODEL_LOGP: dict[tuple[int, tuple[int, ...]], tuple[object, np.ndarray]] = {}


def _nlp(lm, *, banned=("pad", "unk", "bos"), renorm=False, truncate=None, order=None,
         finish=True, probs=False):
    """Un next_log_probs sobre el modelo, con errores a elección."""
    from helpers.arrays import left_pad, log_softmax

    vocab = lm.vocab
    ban = {getattr(vocab, f"{b}_id") for b in banned}

    def next_log_probs(prefix):
        if finish and prefix[-1] == vocab.eos_id:
            return {}
        ids = tuple(prefix)[-truncate:] if truncate else tuple(prefix)
        # El modelo es el mismo en todas las llamadas de la prueba: cada prefijo se
        # evalúa una vez (una llamada de Keras fuera de tf.function: ~0,1 s).
        # (Guarda también el modelo: su id no se reusa mientras esté en la caché.)
        key = (id(lm.model), ids)
        if key not in _MODEL_LOGP:
            _MODEL_LOGP[key] = (lm.model, log_softmax(np.asarray(
                lm.model(left_pad([list(ids)]), training=False)))[0])
        logp = _MODEL_LOGP[key][1]
        keep = [i for i in range(len(logp)) if i not in ban]
        if renorm:
            logp = logp - np.log(np.exp(logp[keep]).sum())
        if order == "prob":
            keep = sorted(keep, key=lambda i: -logp[i])
        return {i: float(np.exp(logp[i]) if probs else logp[i]) for i in keep}

    return next_log_probs


def _prefixes(lm):
    v = lm.vocab
    words = list(range(4, min(len(v), 4 + lm.config.context_len + 5)))
    return [(v.bos_id,), (v.bos_id, words[0], words[1]), (v.bos_id, *words),
            (v.bos_id, words[2], v.eos_id)]


def test_check_next_log_probs(tiny) -> None:
    pre = _prefixes(tiny)
    C.check_next_log_probs(_nlp(tiny), tiny.model, tiny.vocab, pre)
    cases = [
        (dict(banned=("pad", "bos")), "sobran ['<unk>']"),
        (dict(banned=("unk", "bos")), "sobran ['<pad>']"),
        (dict(renorm=True), "sin renormalizar"),
        (dict(truncate=3), "todo el prefijo"),
        (dict(order="prob"), "orden de id"),
        (dict(finish=False), "se esperaba {}"),
        (dict(probs=True), "log-prob del modelo"),
    ]
    for kwargs, fragment in cases:
        _fails(lambda: C.check_next_log_probs(_nlp(tiny, **kwargs), tiny.model, tiny.vocab, pre),
               "next_log_probs", fragment)


def _greedy(next_log_probs, prefix, steps):
    seq, total = tuple(prefix), 0.0
    for _ in range(steps):
        options = next_log_probs(seq)
        if not options:
            break
        token = max(options, key=options.get)
        total += options[token]
        seq += (token,)
    return seq, total


def _beam(next_log_probs, prefix, steps, width, alpha=0.0, *, keep_finished=True, length="new"):
    prefix = tuple(prefix)

    def score(seq, lp):
        n = len(seq) - len(prefix) if length == "new" else len(seq)
        return lp / max(n, 1) ** alpha

    beams = [(prefix, 0.0)]
    for _ in range(steps):
        cand = []
        for seq, lp in beams:
            options = next_log_probs(seq)
            if not options:
                if keep_finished:
                    cand.append((seq, lp))
                continue
            cand.extend((seq + (t,), lp + v) for t, v in options.items())
        cand.sort(key=lambda c: score(*c), reverse=True)
        beams = cand[:width]
    return [(s, lp, score(s, lp)) for s, lp in beams]


def test_check_decoder_agreement(tiny, decoding) -> None:
    import functools

    nlp, prompts = _nlp(tiny), decoding.prompts[:4]
    C.check_decoder_agreement(_greedy, _beam, nlp, tiny.model, tiny.vocab, prompts, 8)
    C.check_decoder_agreement(_greedy, _beam, nlp, tiny.model, tiny.vocab, prompts, 8,
                              beam_width=2, alpha=1.0)
    _fails(lambda: C.check_decoder_agreement(_greedy, _beam, nlp, tiny.model, tiny.vocab,
                                             prompts[:2], 8), "al menos 3 textos iniciales")
    # Un beam que usa el largo con el prefijo, o que descarta los haces terminados.
    wrong_len = functools.partial(_beam, length="all")
    _fails(lambda: C.check_decoder_agreement(_greedy, wrong_len, nlp, tiny.model, tiny.vocab,
                                             prompts, 8, beam_width=2, alpha=1.0),
           "beam (ancho 2, alpha 1)", "Revisá beam_search")
    dropped = functools.partial(_beam, keep_finished=False)
    _fails(lambda: C.check_decoder_agreement(_greedy, dropped, nlp, tiny.model, tiny.vocab,
                                             prompts, 8), "beam (ancho 3", "Revisá beam_search")

    def greedy_prob(next_log_probs, prefix, steps):      # multiplica log-probs
        seq, lp = _greedy(next_log_probs, prefix, steps)
        return seq, math.exp(lp)

    _fails(lambda: C.check_decoder_agreement(greedy_prob, _beam, nlp, tiny.model, tiny.vocab,
                                             prompts, 8), "greedy desde", "Revisá greedy_search")
    # Un next_log_probs que renormaliza: los decodificadores no coinciden con el modelo.
    _fails(lambda: C.check_decoder_agreement(_greedy, _beam, _nlp(tiny, renorm=True), tiny.model,
                                             tiny.vocab, prompts, 8), "next_log_probs")


# ---------------------------------------------------------------------------
# El notebook del desafío
# ---------------------------------------------------------------------------
def _lesson_graded_functions() -> set[str]:
    names = set()
    for path in (ROOT / "solutions").glob("clase_rnn/*.ipynb"):
        for cell in nbformat.read(str(path), as_version=4).cells:
            m = cell.metadata.get("nbgrader", {})
            if m.get("solution") and not m.get("grade"):
                names.add(m["grade_id"])
    return names


def test_helpers_do_not_contain_graded_functions_of_the_lessons() -> None:
    graded = _lesson_graded_functions()
    assert graded, "no se encontraron funciones evaluadas en las lecciones"
    assert not graded & set(dir(C)), graded & set(dir(C))


def test_notebook_documents_and_grades_what_the_issue_asks() -> None:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    cells = nb.cells
    assert [c.id for c in cells[:3]] == ["titulo", "colab", "setup"]
    graded = {c.id: c for c in cells if c.metadata.get("nbgrader", {}).get("grade")}
    auto = {i: c for i, c in graded.items() if c.cell_type == "code"}
    manual = {i: c for i, c in graded.items() if c.cell_type == "markdown"}
    expected = {
        "test_corpus": ("check_corpus", ["CORPUS_NAME", "texto"]),
        "test_particion": ("check_splits", ["splits", "grupos"]),
        "test_modelo": ("check_model", ["modelo", "vocab", "CONTEXT_LEN"]),
        "test_reporte": ("check_report", ["reporte", "MIN_COUNT"]),
        "test_reporte__baselines": ("check_baselines", ["reporte"]),
        "test_next_log_probs": ("check_next_log_probs", ["next_log_probs"]),
        "test_decodificadores": ("check_decoder_agreement", ["textos_iniciales"]),
        "test_tabla": ("check_table", ["tabla"]),
        "test_tabla__modelo": ("check_table_model", ["tabla"]),
    }
    assert set(auto) == set(expected)
    ids = [c.id for c in cells]
    for gid, (checker, names) in expected.items():
        src = auto[gid].source
        hidden = "\n".join(re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", src, re.S))
        visible = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", src, flags=re.S)
        assert "from helpers.challenge import" in visible and checker in visible
        assert "checks.case(" in hidden, f"{gid}: la parte oculta va en un caso con nombre"
        assert checker + "(" in visible and checker + "(" in hidden, gid
        assert auto[gid].metadata["nbgrader"]["locked"]
        # Las variables que lee la celda están documentadas en el markdown de antes.
        before = "\n".join(c.source for c in cells[:ids.index(gid)] if c.cell_type == "markdown")
        for name in names:
            assert f"`{name}`" in before, f"{gid}: falta documentar `{name}`"
    assert sum(c.metadata["nbgrader"]["points"] for c in auto.values()) == 17
    assert set(manual) == {"analisis_modelo", "analisis_estrategias", "analisis_muestras"}
    # El estudiante arma y entrena el modelo y decodifica con sus propias funciones.
    solutions = {c.id: c for c in cells if c.metadata.get("nbgrader", {}).get("solution")
                 and c.cell_type == "code"}
    for name in ("modelo", "next_log_probs", "greedy_search", "beam_search", "sample_next",
                 "generacion"):
        assert name in solutions, name
    for call in ("keras.Sequential", "mask_zero=True", ".compile(", ".fit(", "verbose=0"):
        assert call in solutions["modelo"].source, call
    for call in ("sample_next(", "seeds=", '"texto real"'):
        assert call in solutions["generacion"].source, call
    assert "**Tiempo estimado:** unas " in cells[0].source
    for cell in manual.values():
        m = cell.metadata["nbgrader"]
        assert m["solution"] and m["points"] > 0 and "Rúbrica" in cell.source
        # La pregunta está en una celda aparte (la de la respuesta se reemplaza al publicar).
        assert cells[ids.index(cell.id) - 1].id == f"{cell.id}_md"
    # Las salidas commiteadas (de `make solutions`) no tienen errores.
    assert not [c.id for c in cells if c.cell_type == "code"
                for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_table_of_the_previous_version_gets_a_clear_message(decoding) -> None:
    """La versión anterior guardaba los textos iniciales en «semillas»; ahora «semillas» son
    las semillas aleatorias de las filas que muestrean."""
    old = [{("semillas" if k == "textos_iniciales" else k): v for k, v in row.items()}
           for row in decoding.table]
    _fails(lambda: C.check_table(old), "tabla[0]", "faltan las claves ['textos_iniciales']")
