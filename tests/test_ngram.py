"""Pruebas de ``helpers.ngram``: mismos objetivos que el modelo neuronal, Kneser-Ney de
nltk (con las cuentas de continuación precalculadas) y ajuste del descuento."""

from __future__ import annotations

import math

import numpy as np
import pytest
from nltk.lm import KneserNeyInterpolated
from nltk.lm.vocabulary import Vocabulary

from helpers import ngram as G
from helpers.lm import Vocab, encode_windows

TRAIN = [
    "el gaucho canta en la pampa".split(),
    "la china llora en el rancho".split(),
    "el gaucho llora en el rancho".split(),
    "mi pingo corre en la pampa".split(),
    "el indio corre en la frontera".split(),
    "la china canta junto al fogón".split(),
    "el gaucho pelea en la frontera".split(),
    "mi pingo duerme en el rancho".split(),
]
VAL = [
    "el indio canta en la pampa".split(),
    "la china corre junto al rancho".split(),
    "un juez pelea en la frontera".split(),   # 'un', 'juez': fuera del vocabulario
]


@pytest.fixture(scope="module")
def vocab() -> Vocab:
    return Vocab.fit(TRAIN, min_count=2)


def test_targets_are_the_neural_models_targets(vocab: Vocab) -> None:
    targets = [t for d in VAL for t in G.doc_targets(d, vocab)]
    _, y = encode_windows(VAL, vocab, 4)
    assert vocab.encode(targets) == y.tolist()
    assert G.doc_targets(["un", "gaucho"], vocab) == ["<unk>", "gaucho", "</s>"]


def test_target_ngrams_end_in_targets_only(vocab: Vocab) -> None:
    grams = G.target_ngrams(["el", "gaucho"], vocab, 3)
    assert grams == [
        ("el",), ("<s>", "el"), ("<s>", "<s>", "el"),
        ("gaucho",), ("el", "gaucho"), ("<s>", "el", "gaucho"),
        ("</s>",), ("gaucho", "</s>"), ("el", "gaucho", "</s>"),
    ]
    # Nada termina en <s> ni empieza con </s> (padded_everygram_pipeline sí los contaría).
    all_grams = [g for d in TRAIN for g in G.target_ngrams(d, vocab, 3)]
    assert all(g[-1] != "<s>" for g in all_grams)
    assert all(g[0] != "</s>" or len(g) == 1 for g in all_grams)


def test_uniform_and_unigram(vocab: Vocab) -> None:
    u = G.uniform_target_probs(VAL, vocab)
    assert u.shape == (sum(len(d) + 1 for d in VAL),)
    assert float(np.exp(-np.log(u).mean())) == pytest.approx(len(vocab))
    p = G.unigram_target_probs(TRAIN, VAL, vocab)
    n_train = sum(len(d) + 1 for d in TRAIN)
    eos = sum(1 for _ in TRAIN) / n_train
    assert p[len(VAL[0])] == pytest.approx(eos)  # el primer </s> de validación
    # P(w) = cuenta de w como objetivo / objetivos del entrenamiento ('<unk>' incluido).
    train_targets = [t for d in TRAIN for t in G.doc_targets(d, vocab)]
    for i, t in enumerate(G.doc_targets(VAL[2], vocab), start=len(VAL[0]) + len(VAL[1]) + 2):
        assert p[i] == pytest.approx(train_targets.count(t) / n_train), t
    assert G.doc_targets(VAL[2], vocab)[0] == "<unk>" and p[len(VAL[0]) + len(VAL[1]) + 2] > 0


def test_fast_continuations_equal_nltk(vocab: Vocab) -> None:
    """Las tablas precalculadas dan exactamente los mismos puntajes que nltk puro."""
    for order in (2, 3):
        fast = G.fit_kneser_ney(TRAIN, vocab, order, discount=0.6)
        # En esta versión de nltk (comprobada) se usan las tablas, no el método de nltk.
        assert G.fast_continuations_supported()
        assert "_continuation_counts" in vars(fast.estimator)
        slow = KneserNeyInterpolated(order, discount=0.6,
                                     vocabulary=Vocabulary(vocab.itos, unk_cutoff=1))
        slow.fit(G.target_ngrams(d, vocab, order) for d in TRAIN)
        contexts = {tuple(c) for d in TRAIN + VAL for _, c in G._contexts(d, vocab, order)}
        contexts |= {("pampa",) * (order - 1), ("juez",) * (order - 1)}
        for ctx in sorted(contexts):
            for w in vocab.itos[1:]:
                # Las mismas cuentas enteras en las mismas operaciones de float64 sobre
                # probabilidades <= 1: solo cabe el redondeo de la última cifra (eps 2.2e-16).
                assert fast.score(w, ctx) == pytest.approx(slow.score(w, ctx), abs=1e-15), (w, ctx)


def test_unverified_nltk_falls_back_to_nltk(vocab: Vocab, monkeypatch: pytest.MonkeyPatch) -> None:
    """Con una versión de nltk no comprobada no se toca el método privado: da lo mismo."""
    assert not G.fast_continuations_supported("4.0.1")
    assert not G.fast_continuations_supported("3.7")
    assert not G.fast_continuations_supported("dev")
    assert G.fast_continuations_supported("3.10.4")
    fast = G.fit_kneser_ney(TRAIN, vocab, 3, discount=0.6)
    monkeypatch.setattr(G.nltk, "__version__", "99.0")
    plain = G.fit_kneser_ney(TRAIN, vocab, 3, discount=0.6)
    assert "_continuation_counts" not in vars(plain.estimator)
    assert G.ngram_perplexity(plain, VAL, vocab) == pytest.approx(
        G.ngram_perplexity(fast, VAL, vocab), rel=1e-12)


@pytest.mark.parametrize("order,d", [(2, 0.1), (2, 0.9), (3, 0.5), (3, 0.75)])
def test_kneser_ney_is_a_distribution(vocab: Vocab, order: int, d: float) -> None:
    kn = G.fit_kneser_ney(TRAIN, vocab, order, discount=d)
    contexts = {tuple(c) for doc in TRAIN + VAL for _, c in G._contexts(doc, vocab, order)}
    contexts.add(("fogón", "inexistente")[-(order - 1):])
    for ctx in contexts:
        total = math.fsum(kn.score(w, ctx) for w in vocab.itos)
        assert total == pytest.approx(1.0, abs=1e-9), ctx


def test_target_probs_and_perplexity(vocab: Vocab) -> None:
    kn = G.fit_kneser_ney(TRAIN, vocab, 2, discount=0.5)
    p = G.target_probs(kn, VAL, vocab)
    assert p.shape == (sum(len(d) + 1 for d in VAL),) and np.all((p > 0) & (p <= 1))
    ctxs = [c for d in VAL for _, c in G._contexts(d, vocab, 2)]
    words = [t for d in VAL for t in G.doc_targets(d, vocab)]
    np.testing.assert_allclose(p, [kn.score(w, c) for w, c in zip(words, ctxs)])
    assert G.ngram_perplexity(kn, VAL, vocab) == pytest.approx(math.exp(-np.log(p).mean()))
    # El bigrama le gana al unigrama en este texto tan regular.
    uni = G.unigram_target_probs(TRAIN, VAL, vocab)
    assert G.ngram_perplexity(kn, VAL, vocab) < math.exp(-np.log(uni).mean())


def test_zero_probability_is_a_clear_error() -> None:
    # min_count = 1: <unk> nunca aparece en el entrenamiento → probabilidad 0.
    v1 = Vocab.fit(TRAIN, min_count=1)
    kn = G.fit_kneser_ney(TRAIN, v1, 2)
    with pytest.raises(ValueError, match="min_count"):
        G.target_probs(kn, VAL, v1)
    with pytest.raises(ValueError, match="min_count"):
        G.unigram_target_probs(TRAIN, VAL, v1)
    with pytest.raises(ValueError):
        G.fit_kneser_ney(TRAIN, v1, 1)
    with pytest.raises(ValueError):
        G.fit_kneser_ney(TRAIN, v1, 2, discount=1.0)


def test_tune_discount_picks_the_validation_minimum(vocab: Vocab) -> None:
    kn = G.fit_kneser_ney(TRAIN, vocab, 3)
    grid = (0.1, 0.3, 0.5, 0.7, 0.9)
    best, results = G.tune_discount(kn, VAL, vocab, grid)
    assert set(results) == set(grid)
    assert results[best] == min(results.values())
    assert kn.estimator.discount == best
    assert G.ngram_perplexity(kn, VAL, vocab) == pytest.approx(results[best])
