"""Pruebas de ``helpers.lm``: vocabulario, ventanas, modelo, perplejidad y caché.

Usan un corpus sintético y modelos diminutos (entrenan en segundos); solo las
últimas tocan el corpus real (con ``COURSE_DATA_MIRROR``, o se saltean).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import lm as L
from helpers.lm import LMConfig, Splits, Vocab
from helpers.lm import cache as lm_cache

# Sus fixtures de módulo (modelos, corpus, clases simuladas) se arman una sola vez:
# todas las pruebas del módulo van al mismo proceso de xdist (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("lm")

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "corpora"

# Tolerancias desde la precisión: los modelos calculan en float32 (EPS32 ≈ 1.19e-7
# de error relativo por operación). Un logit es una suma de fan_in productos (cada
# capa recurrente: entrada + estado; la Dense) de magnitud <= max(1, |logit|): dos
# cálculos del mismo logit con lotes o largos distintos (otro orden de suma) difieren
# a lo sumo EPS32·fan_in·escala, y una log-prob (logit - logsumexp) el doble.
EPS32 = float(np.finfo(np.float32).eps)


def fan_in(config: LMConfig) -> int:
    widths = (config.embed_dim, *config.units)
    return sum(widths[i] + widths[i + 1] for i in range(len(config.units))) + config.units[-1]


def logit_tol(config: LMConfig, logits: np.ndarray) -> float:
    return EPS32 * fan_in(config) * max(1.0, float(np.abs(logits).max()))


# ---------------------------------------------------------------------------
# Datos sintéticos
# ---------------------------------------------------------------------------
def _synthetic_groups(n_groups: int = 40, seed: int = 0) -> list[list[list[str]]]:
    """Grupos de 3 "versos" con una gramática simple y predecible."""
    rng = np.random.default_rng(seed)
    sujetos = ["el gaucho", "la china", "el indio", "mi pingo", "un juez"]
    verbos = ["canta", "llora", "corre", "pelea", "duerme"]
    lugares = ["en la pampa", "en el rancho", "en la frontera", "junto al fogón"]
    groups = []
    for _ in range(n_groups):
        docs = []
        for _ in range(3):
            s = f"{sujetos[rng.integers(5)]} {verbos[rng.integers(5)]} {lugares[rng.integers(4)]}"
            docs.append(s.split())
        groups.append(docs)
    return groups


@pytest.fixture(scope="module")
def splits() -> Splits:
    return L.split_groups(_synthetic_groups(), 0.15, 0.15, seed=3)


TINY = LMConfig(corpus="sintetico", context_len=5, min_count=1, cell="lstm", embed_dim=8,
                units=(8,), dropout=0.0, batch_size=32, learning_rate=1e-2, epochs=3,
                patience=2, seed=1)


# ---------------------------------------------------------------------------
# Vocab
# ---------------------------------------------------------------------------
def test_vocab_special_ids_and_order() -> None:
    docs = [["b", "a", "c", "a"], ["c", "d", "a"]]
    v = Vocab.fit(docs)
    assert (v.pad_id, v.unk_id, v.eos_id, v.bos_id) == (0, 1, 2, 3)
    assert v.itos[:4] == ["<pad>", "<unk>", "</s>", "<s>"]
    # a (3) > c (2) > b = d (1, alfabético)
    assert v.itos[4:] == ["a", "c", "b", "d"]
    assert len(v) == 8
    assert all(v.stoi[w] == i for i, w in enumerate(v.itos))


def test_vocab_min_count_encode_decode_json() -> None:
    docs = [["b", "a", "c", "a"], ["c", "d", "a"]]
    v = Vocab.fit(docs, min_count=2)
    assert v.itos[4:] == ["a", "c"]
    assert v.encode(["a", "b", "zzz", "c"]) == [4, 1, 1, 5]
    assert v.decode([3, 4, 5, 2]) == ["<s>", "a", "c", "</s>"]
    assert "a" in v and "b" not in v
    w = Vocab.from_json(v.to_json())
    assert w == v and w.itos == v.itos
    with pytest.raises(ValueError):
        Vocab.fit(docs, min_count=0)
    with pytest.raises(ValueError):
        Vocab(["a", "<unk>"])
    with pytest.raises(ValueError):
        Vocab.from_json(json.dumps({"itos": ["a", "b", "c", "d"]}))


# ---------------------------------------------------------------------------
# Particiones y ventanas
# ---------------------------------------------------------------------------
def test_split_groups_by_group_disjoint_and_deterministic() -> None:
    groups = [[[f"g{i}v{j}"] for j in range(3)] for i in range(20)]
    s = L.split_groups(groups, 0.1, 0.2, seed=7)
    assert (len(s.train), len(s.val), len(s.test)) == (14 * 3, 2 * 3, 4 * 3)
    ids = {name: {d[0].split("v")[0] for d in docs} for name, docs in s.items()}
    assert not (ids["train"] & ids["val"]) and not (ids["train"] & ids["test"])
    assert not (ids["val"] & ids["test"])
    # un grupo queda entero en una partición, con sus documentos en orden
    for docs in s:
        for k in range(0, len(docs), 3):
            g = docs[k][0].split("v")[0]
            assert [d[0] for d in docs[k:k + 3]] == [f"{g}v0", f"{g}v1", f"{g}v2"]
    assert L.split_groups(groups, 0.1, 0.2, seed=7) == s
    assert L.split_groups(groups, 0.1, 0.2, seed=8) != s
    train, val, test = s
    assert s["val"] is s.val and val is s.val
    assert s.keys() == ("train", "val", "test") and [k for k, _ in s.items()] == list(s.keys())
    assert len(s) == 3 and s[0] is s.train
    with pytest.raises(KeyError):
        s["dev"]


def _reference_windows(docs, vocab, n):
    X, y = [], []
    for doc in docs:
        ids = [vocab.bos_id] + vocab.encode(doc) + [vocab.eos_id]
        for i in range(1, len(ids)):
            ctx = ids[max(0, i - n):i]
            X.append([vocab.pad_id] * (n - len(ctx)) + ctx)
            y.append(ids[i])
    return np.array(X, np.int32).reshape(-1, n), np.array(y, np.int32)


@pytest.mark.parametrize("n", [1, 2, 4, 9])
def test_encode_windows_matches_reference(splits: Splits, n: int) -> None:
    vocab = Vocab.fit(splits.train, min_count=2)
    X, y = L.encode_windows(splits.val, vocab, n)
    Xr, yr = _reference_windows(splits.val, vocab, n)
    assert X.dtype == np.int32 and y.dtype == np.int32
    np.testing.assert_array_equal(X, Xr)
    np.testing.assert_array_equal(y, yr)
    # un objetivo por palabra más un </s> por documento; <s> y <pad> nunca son objetivo
    assert len(y) == sum(len(d) + 1 for d in splits.val)
    assert not np.isin(y, [vocab.pad_id, vocab.bos_id]).any()


def test_encode_windows_small_cases() -> None:
    v = Vocab(["a", "b"])
    X, y = L.encode_windows([["a", "b", "zz"]], v, 3)
    assert X.tolist() == [[0, 0, 3], [0, 3, 4], [3, 4, 5], [4, 5, 1]]
    assert y.tolist() == [4, 5, 1, 2]
    X, y = L.encode_windows([], v, 3)
    assert X.shape == (0, 3) and y.shape == (0,)
    X, y = L.encode_windows([[]], v, 2)  # documento vacío: solo </s> después de <s>
    assert X.tolist() == [[0, 3]] and y.tolist() == [2]


def test_make_dataset_batches_and_shuffle(splits: Splits) -> None:
    vocab = Vocab.fit(splits.train)
    X, y = L.encode_windows(splits.train, vocab, 4)
    ds = L.make_dataset(splits.train, vocab, 4, batch_size=16)
    xb, yb = next(iter(ds))
    assert xb.shape == (16, 4) and yb.shape == (16,) and xb.dtype == tf.int32
    Xs = np.concatenate([b[0].numpy() for b in ds])
    np.testing.assert_array_equal(Xs, X)
    sh1 = np.concatenate([b[1].numpy() for b in L.make_dataset(splits.train, vocab, 4, shuffle=True, seed=5)])
    sh2 = np.concatenate([b[1].numpy() for b in L.make_dataset(splits.train, vocab, 4, shuffle=True, seed=5)])
    np.testing.assert_array_equal(sh1, sh2)
    assert not np.array_equal(sh1, y) and sorted(sh1.tolist()) == sorted(y.tolist())


# ---------------------------------------------------------------------------
# Modelo (contrato con helpers.decoding)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("cell,layer", [("lstm", keras.layers.LSTM), ("gru", keras.layers.GRU),
                                        ("simple_rnn", keras.layers.SimpleRNN)])
def test_build_lm_layers_follow_the_contract(cell: str, layer: type) -> None:
    cfg = dataclasses.replace(TINY, cell=cell, units=(6, 7), dropout=0.2)
    m = L.build_lm(30, cfg)
    core = [ly for ly in m.layers if not isinstance(ly, keras.layers.Dropout)]
    assert isinstance(core[0], keras.layers.Embedding) and core[0].mask_zero
    assert core[0].input_dim == 30 and core[0].output_dim == cfg.embed_dim
    assert [type(ly) for ly in core[1:-1]] == [layer, layer]
    assert [ly.return_sequences for ly in core[1:-1]] == [True, False]
    assert isinstance(core[-1], keras.layers.Dense) and core[-1].units == 30
    assert core[-1].activation is keras.activations.linear  # logits
    assert m.loss.get_config()["from_logits"] is True
    for length in (1, 3, 11):  # cualquier largo de ventana
        assert m(np.ones((2, length), np.int32)).shape == (2, 30)


def test_left_padding_equals_unpadded_run() -> None:
    cfg = dataclasses.replace(TINY, units=(6, 5))
    m = L.build_lm(20, cfg)
    ids = np.array([[3, 7, 9, 4]], np.int32)
    padded = np.array([[0, 0, 0, 3, 7, 9, 4]], np.int32)
    z = m(ids).numpy()
    np.testing.assert_allclose(z, m(padded).numpy(), atol=logit_tol(cfg, z))


# ---------------------------------------------------------------------------
# Perplejidad
# ---------------------------------------------------------------------------
def test_uniform_model_has_perplexity_v(splits: Splits) -> None:
    vocab = Vocab.fit(splits.train)
    m = L.build_lm(len(vocab), TINY)
    dense = m.layers[-1]
    dense.set_weights([np.zeros_like(w) for w in dense.get_weights()])
    ds = L.make_dataset(splits.val, vocab, 5, batch_size=7)  # lotes desparejos a propósito
    # Logits exactamente 0: cada log-prob es -log V redondeado a float32 (error relativo
    # EPS32/2), y la perplejidad exp(log V) hereda ese error absoluto en el exponente.
    assert L.evaluate_perplexity(m, ds) == pytest.approx(len(vocab),
                                                         rel=EPS32 * math.log(len(vocab)))


def test_perplexity_is_corpus_level_and_matches_keras(splits: Splits) -> None:
    vocab = Vocab.fit(splits.train)
    m = L.build_lm(len(vocab), TINY)
    X, y = L.encode_windows(splits.val, vocab, 5)
    logp = L.target_log_probs(m, L.make_dataset(splits.val, vocab, 5, batch_size=13))
    assert logp.dtype == np.float64 and logp.shape == y.shape
    # contra log_softmax en NumPy (float64) sobre los logits del modelo
    z = m.predict(X, verbose=0).astype(np.float64)
    ref = z[np.arange(len(y)), y] - np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) - z.max(1)
    # Lotes de 13 contra predict (otro lote) y log_softmax float32 contra float64.
    tol = 2 * logit_tol(TINY, z)
    np.testing.assert_allclose(logp, ref, atol=tol)
    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, z)
    ppl = L.evaluate_perplexity(m, (X, y))
    # Keras promedia N entropías en float32: error relativo <= (N - 1)·EPS32 (suma
    # recursiva), que en la perplejidad exp(ce) es error absoluto en el exponente.
    assert ppl == pytest.approx(math.exp(float(ce)), rel=tol + (len(y) - 1) * EPS32 * float(ce))
    # Otro tamaño de lote: cada log-prob difiere a lo sumo `tol`, y su media también.
    assert ppl == pytest.approx(math.exp(-logp.mean()), rel=tol)
    with pytest.raises(ValueError):
        L.evaluate_perplexity(m, (X[:0], y[:0]))


# ---------------------------------------------------------------------------
# Entrenamiento: callback, parada temprana, pesos restaurados, determinismo
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained(splits: Splits) -> L.TrainedLM:
    return L.train_lm(TINY, splits=splits, verbose=0)


def test_training_logs_val_perplexity_and_restores_best(trained: L.TrainedLM,
                                                        splits: Splits) -> None:
    h = trained.history
    n = len(h["val_perplexity"])
    assert 1 <= n <= TINY.epochs and len(h["loss"]) == n and len(h["epoch_seconds"]) == n
    assert h["best_epoch"] == int(np.argmin(h["val_perplexity"]))
    # el modelo que queda es el de la mejor época (pesos restaurados)
    # (mismos pesos; el callback evaluó con lotes de 256, perplexity() con lotes de 512)
    z = trained.model.predict(L.encode_windows(splits.val, trained.vocab, TINY.context_len)[0],
                              verbose=0)
    assert trained.perplexity("val") == pytest.approx(min(h["val_perplexity"]),
                                                      rel=2 * logit_tol(TINY, z))
    # aprendió algo: mucho mejor que uniforme
    assert min(h["val_perplexity"]) < 0.5 * len(trained.vocab)
    assert trained.vocab == Vocab.fit(splits.train, min_count=TINY.min_count)


def test_callback_value_is_visible_to_later_callbacks(splits: Splits) -> None:
    vocab = Vocab.fit(splits.train)
    m = L.build_lm(len(vocab), TINY)
    val = L.make_dataset(splits.val, vocab, 5)
    seen = []
    spy = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(logs["val_perplexity"]))
    cb = L.PerplexityCallback(val)
    hist = m.fit(L.make_dataset(splits.train, vocab, 5, batch_size=32), epochs=2,
                 callbacks=[cb, spy], shuffle=False, verbose=0)
    assert seen == cb.values == hist.history["val_perplexity"]


# ---------------------------------------------------------------------------
# Caché
# ---------------------------------------------------------------------------
def _entries(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir()) if root.exists() else []


def test_cache_roundtrip_corruption_and_keys(tmp_path: Path, splits: Splits, trained: L.TrainedLM,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COURSE_FAST", raising=False)
    # «Entrenar» devuelve el modelo ya entrenado del fixture y cuenta las llamadas:
    # así se prueban las ramas de la caché sin reentrenar cada vez.
    calls = []

    def fake_train(config, *, splits, verbose, progress=None):
        calls.append(config)
        assert config == TINY
        return dataclasses.replace(trained, from_cache=False, cache_path=None)

    # load_or_train busca train_lm en su propio módulo (helpers.lm.cache).
    monkeypatch.setattr(lm_cache, "train_lm", fake_train)
    first = L.load_or_train(TINY, splits=splits, cache_dir=tmp_path, verbose=0)
    assert not first.from_cache and len(calls) == 1
    [entry] = _entries(tmp_path)  # una sola carpeta, sin temporales
    assert entry == first.cache_path
    assert {p.name for p in entry.iterdir()} == {"model.weights.h5", "vocab.json", "meta.json"}

    # Se carga en un modelo nuevo: mismas predicciones, mismo vocabulario e historia.
    second = L.load_or_train(TINY, splits=splits, cache_dir=tmp_path, verbose=0)
    assert second.from_cache and len(calls) == 1
    assert second.model is not trained.model and second.vocab == trained.vocab
    assert second.history == json.loads(json.dumps(trained.history))
    X = L.encode_windows(splits.val, trained.vocab, TINY.context_len)[0]
    np.testing.assert_array_equal(second.model.predict(X, verbose=0),
                                  trained.model.predict(X, verbose=0))

    # Pesos dañados → aviso, se borra y se reentrena.
    (entry / "model.weights.h5").write_bytes(b"no es un h5")
    with pytest.warns(UserWarning, match="dañada"):
        assert not L.load_or_train(TINY, splits=splits, cache_dir=tmp_path, verbose=0).from_cache
    assert len(calls) == 2
    assert L.load_or_train(TINY, splits=splits, cache_dir=tmp_path, verbose=0).from_cache

    # Entrada incompleta (sin meta.json, que se escribe último) → reentrena.
    (entry / "meta.json").unlink()
    with pytest.warns(UserWarning):
        assert not L.load_or_train(TINY, splits=splits, cache_dir=tmp_path, verbose=0).from_cache
    assert len(calls) == 3 and _entries(tmp_path) == [entry]

    # Una clave guardada que no coincide (p. ej. otro formato) → reentrena.
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    meta["key"] = "otra"
    (entry / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.warns(UserWarning):
        L.load_or_train(TINY, splits=splits, cache_dir=tmp_path, verbose=0)
    assert len(calls) == 4

    # retrain=True ignora la caché.
    assert not L.load_or_train(TINY, splits=splits, cache_dir=tmp_path, retrain=True,
                               verbose=0).from_cache
    assert len(calls) == 5

    # La clave cambia con la configuración, los datos y el modo.
    k = L.cache_key(TINY, splits)
    assert L.cache_key(TINY, splits) == k
    assert L.cache_key(dataclasses.replace(TINY, units=(9,)), splits) != k
    assert L.cache_key(dataclasses.replace(TINY, seed=2), splits) != k
    assert L.cache_key(TINY, Splits(splits.train[1:], splits.val, splits.test)) != k
    monkeypatch.setenv("COURSE_FAST", "1")
    assert L.cache_key(TINY, splits) != k
    assert not L.load_or_train(TINY, splits=splits, cache_dir=tmp_path, verbose=0).from_cache
    assert len(_entries(tmp_path)) == 2
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_load_or_train_really_trains_and_saves(tmp_path: Path, splits: Splits,
                                               trained: L.TrainedLM,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Sin trampas: entrena de verdad con la caché vacía, y con la misma semilla da
    exactamente lo mismo que el train_lm del fixture (reproducible)."""
    got = L.load_or_train(TINY, splits=splits, cache_dir=tmp_path, verbose=0)
    assert not got.from_cache and got.cache_path is not None and got.cache_path.is_dir()
    # Dice que entrena antes de empezar y, con Keras en silencio (verbose=0), muestra
    # una barra por épocas con la perplejidad de validación de cada una.
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == (f"No está en la caché: se entrena ahora ({TINY.epochs} "
                                   "épocas como máximo)…")
    last = f"{got.history['val_perplexity'][-1]:.2f}"
    n = len(got.history["val_perplexity"])
    assert f"{n}/{TINY.epochs}" in err and f"perplejidad de validación {last}" in err
    # Cargado de la caché no dice nada.
    assert L.load_or_train(TINY, splits=splits, cache_dir=tmp_path, verbose=0).from_cache
    assert capsys.readouterr() == ("", "")
    assert got.history["val_perplexity"] == trained.history["val_perplexity"]
    for a, b in zip(got.model.get_weights(), trained.model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_training_output_is_one_line_per_epoch(tmp_path: Path, splits: Splits,
                                               trained: L.TrainedLM,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Issue #16 §6: por omisión, una línea por época (nunca la barra de Keras, que
    deja cientos de líneas en un notebook guardado); ``verbose=0, progress=False``,
    nada (quien llama informa una línea por modelo); ``is_cached`` dice de antemano
    si hay que entrenar."""
    assert not L.is_cached(TINY, splits=splits, cache_dir=tmp_path)
    got = L.load_or_train(TINY, splits=splits, cache_dir=tmp_path)
    assert L.is_cached(TINY, splits=splits, cache_dir=tmp_path)
    out, err = capsys.readouterr()
    lines = out.splitlines()
    n = len(got.history["val_perplexity"])
    assert len(lines) == 1 + n and err == "", (out, err)
    for i, (line, ppl) in enumerate(zip(lines[1:], got.history["val_perplexity"], strict=True), start=1):
        assert line.startswith(f"época {i:>{len(str(TINY.epochs))}}/{TINY.epochs} · pérdida ")
        assert f"perplejidad de validación {ppl:.2f}" in line
    assert got.history["val_perplexity"] == trained.history["val_perplexity"]

    quiet = L.load_or_train(TINY, splits=splits, cache_dir=tmp_path / "otra", verbose=0,
                            progress=False)
    assert not quiet.from_cache
    assert capsys.readouterr() == ("", "")


def test_model_cache_dir_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COURSE_MODEL_DIR", str(tmp_path / "m"))
    assert L.model_cache_dir() == tmp_path / "m"
    monkeypatch.delenv("COURSE_MODEL_DIR")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "d"))
    assert L.model_cache_dir() == tmp_path / "d" / "models"


def test_config_validation_and_dict_roundtrip() -> None:
    assert LMConfig.from_dict(json.loads(json.dumps(TINY.to_dict()))) == TINY
    with pytest.raises(ValueError):
        LMConfig(cell="transformer")
    with pytest.raises(ValueError):
        LMConfig(units=())
    with pytest.raises(dataclasses.FrozenInstanceError):
        TINY.epochs = 5  # type: ignore[misc]


def test_default_cell_is_elman() -> None:
    """La clase es sobre la RNN de Elman: es la celda por omisión (lecciones 04–06, desafío)."""
    assert LMConfig().cell == "simple_rnn" and L.default_config().cell == "simple_rnn"
    model = L.build_lm(30, L.default_config())
    rnns = [la for la in model.layers if isinstance(la, keras.layers.RNN)]
    assert [type(la).__name__ for la in rnns] == ["SimpleRNN"]


def test_equality_survives_reloading_helpers(splits: Splits) -> None:
    """El autocorrector borra helpers.* de sys.modules antes de cada celda de evaluación:
    un Vocab (o LMConfig, Splits) creado antes sigue siendo igual al de la clase nueva,
    y lo que no es un Vocab sigue siendo distinto."""
    import importlib
    import sys
    from types import SimpleNamespace

    vocab, config = Vocab.fit(splits.train), dataclasses.replace(TINY, units=(7,))
    saved = {m: mod for m, mod in sys.modules.items() if m == "helpers" or m.startswith("helpers.")}
    try:
        for m in saved:
            del sys.modules[m]
        new = importlib.import_module("helpers.lm")
        assert new.Vocab is not Vocab and new.LMConfig is not LMConfig  # clases nuevas de verdad
        again = new.Vocab.fit(splits.train)
        assert not isinstance(vocab, new.Vocab)
        assert vocab == again and again == vocab and not (vocab != again)
        assert vocab != new.Vocab(["otra", "cosa"]) and new.Vocab(["otra"]) != vocab
        assert vocab != SimpleNamespace(itos=list(vocab.itos)) and vocab != list(vocab.itos)
        assert config == dataclasses.replace(new.LMConfig(**TINY.to_dict()), units=(7,))
        assert config != new.LMConfig(**TINY.to_dict()) and config != TINY.to_dict()
        assert splits == new.Splits(splits.train, splits.val, splits.test)
        assert splits != new.Splits(splits.train[1:], splits.val, splits.test)
    finally:
        for m in [m for m in sys.modules if m == "helpers" or m.startswith("helpers.")]:
            del sys.modules[m]
        sys.modules.update(saved)


def test_default_config_depends_on_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_FAST", "1")
    fast = L.default_config()
    monkeypatch.delenv("COURSE_FAST")
    full = L.default_config()
    assert fast.epochs < full.epochs and fast.corpus == full.corpus == "martin_fierro"
    assert fast.context_len == full.context_len and fast.min_count == full.min_count


# ---------------------------------------------------------------------------
# El corpus real (necesita el espejo local o la caché de datos)
# ---------------------------------------------------------------------------
@pytest.fixture()
def real_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    if not os.environ.get("COURSE_DATA_MIRROR"):
        if not MIRROR.is_dir():
            pytest.skip("sin COURSE_DATA_MIRROR ni ../shared/corpora")
        monkeypatch.setenv("COURSE_DATA_MIRROR", str(MIRROR))


def test_martin_fierro_splits_by_stanza(real_corpus: None) -> None:
    cfg = L.default_config()
    groups = L.corpus_groups("martin_fierro")
    s = L.load_splits(cfg)
    assert len(groups) > 300
    assert sum(len(g) for g in groups) == len(s.train) + len(s.val) + len(s.test)
    # Es la partición por estrofa (grupo) de split_groups, probada arriba.
    assert s == L.split_groups(groups, cfg.val_fraction, cfg.test_fraction, cfg.split_seed)
    # La ventana de la lección alcanza para el verso más largo (+ <s>).
    assert max(len(d) for d in s.train) + 1 == cfg.context_len
    # Con min_count = 2, <unk> es objetivo en el entrenamiento (si no, probabilidad ~0).
    v = Vocab.fit(s.train, min_count=cfg.min_count)
    assert v.unk_id in L.encode_windows(s.train, v, cfg.context_len)[1]
