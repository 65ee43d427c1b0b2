"""Pruebas del generador de datos de NER (``helpers.ner``)."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import ner


@pytest.fixture(scope="module")
def big():
    return ner.make_dataset(6000, 1000, 3000, seed=123)


def _all(splits):
    return splits.train + splits.val + splits.test


def _parts(s: ner.Sentence):
    """(contexto izquierdo, nombre, etiqueta, contexto derecho) de la entidad principal."""
    # La entidad principal es la primera con etiqueta distinta de O.
    k = next(i for i, t in enumerate(s.tags) if t != "O")
    return s.tokens[:k], s.tokens[k], s.tags[k], s.tokens[k + 1:]


def test_reproducible_with_seed():
    a = ner.make_dataset(200, 50, 50, seed=7)
    b = ner.make_dataset(200, 50, 50, seed=7)
    c = ner.make_dataset(200, 50, 50, seed=8)
    assert a == b
    assert a != c


def test_split_sizes_and_disjoint(big):
    assert (len(big.train), len(big.val), len(big.test)) == (6000, 1000, 3000)
    tr = {s.tokens for s in big.train}
    va = {s.tokens for s in big.val}
    te = {s.tokens for s in big.test}
    assert len(tr) == 6000 and len(va) == 1000 and len(te) == 3000  # sin repetidas
    assert not (tr & va) and not (tr & te) and not (va & te)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 60))
def test_tags_aligned_with_tokens(seed, n):
    for s in _all(ner.make_dataset(n, n // 2, n // 3, seed=seed)):
        assert len(s.tokens) == len(s.tags) == len(s.ambiguous)
        assert set(s.tags) <= set(ner.TAGS)
        assert s.tokens[-1] == "." and s.tags[-1] == "O"
        for tok, tag, amb in zip(s.tokens, s.tags, s.ambiguous):
            if tok in ner.PERSON_NAMES:
                assert tag == "PER"
            elif tok in ner.PLACE_NAMES:
                assert tag == "LOC"
            elif tok in ner.AMBIGUOUS_NAMES:
                assert tag in ("PER", "LOC") and amb
            else:
                assert tag == "O"
            if amb:
                assert tok in ner.AMBIGUOUS_NAMES
        assert sum(s.ambiguous) <= 1


def test_sentence_rejects_misaligned():
    with pytest.raises(ValueError):
        ner.Sentence(("a", "b"), ("O",), (False, False))


def test_ambiguous_names_have_both_readings(big):
    readings = defaultdict(Counter)
    for s in _all(big):
        left, name, tag, right = _parts(s)
        if name in ner.AMBIGUOUS_NAMES:
            readings[name][tag] += 1
    assert set(readings) == set(ner.AMBIGUOUS_NAMES)
    for name, c in readings.items():
        assert c["PER"] > 0 and c["LOC"] > 0, (name, c)
        p = c["PER"] / (c["PER"] + c["LOC"])
        # La frecuencia empírica se acerca a la probabilidad declarada.
        assert abs(p - ner.P_PERSON[name]) < 0.06, (name, p)


def test_deciding_words_are_only_to_the_right(big):
    """El contexto derecho determina la etiqueta; el izquierdo no dice nada."""
    right_to_tag: dict[tuple[str, ...], set[str]] = defaultdict(set)
    left_given_tag = {"PER": Counter(), "LOC": Counter()}
    prefix_tags = defaultdict(set)
    for s in _all(big):
        left, name, tag, right = _parts(s)
        assert left in ner.LEFT_CONTEXTS  # una sola lista para todas las clases
        if name not in ner.AMBIGUOUS_NAMES:
            continue
        # La plantilla derecha (sin los nombres que llenan huecos) fija la lectura.
        template = tuple("{X}" if (w in ner.PERSON_NAMES or w in ner.PLACE_NAMES) else w
                         for w in right)
        right_to_tag[template].add(tag)
        left_given_tag[tag][left] += 1
        prefix_tags[(left, name)].add(tag)
    assert right_to_tag and all(len(tags) == 1 for tags in right_to_tag.values())
    # Mismo reparto de contextos izquierdos para las dos lecturas (variación total chica).
    n_per = sum(left_given_tag["PER"].values())
    n_loc = sum(left_given_tag["LOC"].values())
    tv = 0.5 * sum(abs(left_given_tag["PER"][c] / n_per - left_given_tag["LOC"][c] / n_loc)
                   for c in ner.LEFT_CONTEXTS)
    assert tv < 0.15, tv
    # Muchos prefijos (contexto izquierdo + nombre) aparecen con las dos lecturas.
    both = sum(len(t) == 2 for t in prefix_tags.values())
    assert both > 0.3 * len(prefix_tags)


def test_right_context_lists_are_disjoint():
    assert not set(ner.RIGHT_CONTEXTS["PER"]) & set(ner.RIGHT_CONTEXTS["LOC"])
    # Y ninguna plantilla derecha contiene un nombre ambiguo.
    for templates in ner.RIGHT_CONTEXTS.values():
        for t in templates:
            assert not set(t.split()) & set(ner.AMBIGUOUS_NAMES)


def test_invalid_sizes():
    with pytest.raises(ValueError):
        ner.make_dataset(-1, 0, 0)


def test_vocab_and_encode_roundtrip():
    splits = ner.make_dataset(300, 50, 80, seed=3)
    vocab = ner.build_vocab(splits.train)
    assert vocab[ner.PAD] == 0 and vocab[ner.UNK] == 1
    assert sorted(vocab.values()) == list(range(len(vocab)))
    inv = {i: w for w, i in vocab.items()}
    enc = ner.encode(splits.test, vocab)
    n, T = enc.X.shape
    assert n == 80 and T == max(len(s) for s in splits.test)
    assert enc.Y.shape == enc.ambiguous.shape == (n, T)
    for i, s in enumerate(splits.test):
        L = len(s)
        assert enc.lengths[i] == L
        assert np.all(enc.X[i, L:] == 0) and np.all(enc.Y[i, L:] == 0)
        assert not enc.ambiguous[i, L:].any()
        assert np.all(enc.X[i, :L] > 0)  # el 0 es solo relleno
        assert [inv[j] if j != 1 else None for j in enc.X[i, :L]] == [
            t if t in vocab else None for t in s.tokens]
        assert [ner.TAGS[j] for j in enc.Y[i, :L]] == list(s.tags)
        assert list(enc.ambiguous[i, :L]) == list(s.ambiguous)
    np.testing.assert_array_equal(enc.mask, np.arange(T)[None] < enc.lengths[:, None])


def test_encode_maxlen():
    splits = ner.make_dataset(20, 0, 0, seed=1)
    vocab = ner.build_vocab(splits.train)
    longest = max(len(s) for s in splits.train)
    assert ner.encode(splits.train, vocab, maxlen=longest + 5).X.shape == (20, longest + 5)
    with pytest.raises(ValueError):
        ner.encode(splits.train, vocab, maxlen=longest - 1)


def test_unknown_words_map_to_unk():
    s = ner.Sentence(("Hoy", "zzz", "."), ("O", "O", "O"), (False,) * 3)
    vocab = {ner.PAD: 0, ner.UNK: 1, "Hoy": 2, ".": 3}
    enc = ner.encode([s], vocab)
    assert enc.X.tolist() == [[2, 1, 3]]
