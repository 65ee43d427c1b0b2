"""Modelo de lenguaje por palabras (ventana → próxima palabra), reutilizable y con caché.

La lección 04 entrena con este módulo un modelo de lenguaje sobre *Martín
Fierro*; las lecciones 05 y 06 y el desafío lo **cargan del disco en segundos**
(o lo entrenan ellas mismas si la caché está vacía)::

    from helpers.lm import load_or_train
    lm = load_or_train()                 # configuración de la lección, según el modo
    lm.model, lm.vocab, lm.config, lm.splits, lm.history

Lo que la lección le pide escribir al estudiante (las ventanas de una lista de
tokens, la perplejidad de una lista de probabilidades, la próxima palabra de un
contexto) **no** está acá con esa interfaz: este módulo trabaja con documentos
ya codificados, ``tf.data`` y modelos enteros.

Contrato con ``helpers.decoding`` (ver ``lm_contract``), sin desvíos:

* :class:`Vocab`: ``<pad>`` = 0, ``<unk>`` = 1, ``</s>`` = 2 (fin de documento),
  ``<s>`` = 3 (comienzo de documento); después las palabras, de la más frecuente
  a la menos (empates en orden alfabético), ajustado **solo con el
  entrenamiento** y con un ``min_count`` opcional (las más raras → ``<unk>``).
* :func:`build_lm`: ``Input((None,), int32)`` → ``Embedding(V, E, mask_zero=True)``
  → una o más capas recurrentes (todas menos la última con
  ``return_sequences=True``) → ``Dense(V)`` con **logits**. Puede haber capas
  ``Dropout`` entre la embedding, las recurrentes y la densa (en inferencia no
  hacen nada; quien arme un modelo de a un paso las puede saltear).
  Muchos-a-uno: la salida para una ventana son los logits del token que la sigue.
  Las ventanas se rellenan **a la izquierda** con 0; con ``mask_zero=True`` eso
  equivale a correr las capas recurrentes desde el estado cero sobre los tokens
  reales.
* Documentos y objetivos: cada documento (en *Martín Fierro*, un verso) es
  ``<s> w1 … wk </s>``. Se predicen ``w1 … wk`` y ``</s>`` (``k + 1``
  objetivos); ``<s>`` y ``<pad>`` nunca son objetivo; ``<unk>`` sí (es la clase
  «palabra rara»). El contexto de cada objetivo son los ``context_len`` tokens
  anteriores **del mismo documento**, empezando por ``<s>``, rellenado con
  ``<pad>`` a la izquierda. Los baselines de :mod:`helpers.ngram` usan los mismos
  objetivos y el mismo vocabulario.

Caché de modelos entrenados: carpeta ``COURSE_MODEL_DIR`` si está definida; si
no, ``<caché de datos>/models`` (la caché de datos es ``COURSE_DATA_DIR`` o la
carpeta por usuario de :func:`helpers.data.cache_dir`). La clave es un hash de
(los documentos tokenizados del corpus —o sea, el texto y el tokenizador—, la
configuración completa, el modo rápido/completo, la versión mayor de Keras y la
versión del formato). Se escribe en una carpeta temporal que se renombra de una
vez (atómico); si la caché está incompleta o dañada, se avisa y se reentrena.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from helpers.config import fast_mode, pick, seed_everything

__all__ = [
    "CELLS",
    "LMConfig",
    "PerplexityCallback",
    "Splits",
    "TrainedLM",
    "Vocab",
    "build_lm",
    "cache_key",
    "corpus_groups",
    "default_config",
    "encode_windows",
    "evaluate_perplexity",
    "load_or_train",
    "load_splits",
    "make_dataset",
    "model_cache_dir",
    "split_groups",
    "target_log_probs",
    "train_lm",
]

MODEL_DIR_ENV = "COURSE_MODEL_DIR"
#: Se incrementa si cambia la arquitectura o el formato de lo guardado.
CACHE_FORMAT = 1

#: Tipos de capa recurrente aceptados en :class:`LMConfig` (``cell``).
CELLS: dict[str, type] = {
    "simple_rnn": keras.layers.SimpleRNN,
    "gru": keras.layers.GRU,
    "lstm": keras.layers.LSTM,
}


# ---------------------------------------------------------------------------
# Vocabulario
# ---------------------------------------------------------------------------
class Vocab:
    """Vocabulario con ids especiales fijos y palabras por frecuencia.

    ``itos[i]`` es el token de id ``i``; ``stoi`` es el inverso. Los cuatro
    primeros ids son especiales: ``<pad>`` (0, relleno), ``<unk>`` (1, palabra
    desconocida o rara), ``</s>`` (2, fin de documento) y ``<s>`` (3, comienzo).
    """

    PAD, UNK, EOS, BOS = "<pad>", "<unk>", "</s>", "<s>"
    SPECIALS = (PAD, UNK, EOS, BOS)
    pad_id, unk_id, eos_id, bos_id = 0, 1, 2, 3

    def __init__(self, words: Iterable[str]) -> None:
        words = list(words)
        clash = sorted(set(words) & set(self.SPECIALS))
        if clash:
            raise ValueError(f"Vocab: las palabras no pueden ser tokens especiales: {clash}")
        if len(set(words)) != len(words):
            raise ValueError("Vocab: hay palabras repetidas")
        self.itos: list[str] = list(self.SPECIALS) + words
        self.stoi: dict[str, int] = {w: i for i, w in enumerate(self.itos)}

    @classmethod
    def fit(cls, docs: Iterable[Sequence[str]], min_count: int = 1) -> "Vocab":
        """Ajusta el vocabulario con ``docs`` (¡solo el entrenamiento!).

        Las palabras con menos de ``min_count`` apariciones quedan afuera (se
        codifican como ``<unk>``). Orden: más frecuentes primero, empates en
        orden alfabético.
        """
        if min_count < 1:
            raise ValueError(f"min_count debe ser >= 1 y es {min_count}")
        counts = Counter(w for doc in docs for w in doc)
        for s in cls.SPECIALS:
            counts.pop(s, None)
        words = sorted((w for w, c in counts.items() if c >= min_count),
                       key=lambda w: (-counts[w], w))
        return cls(words)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: object) -> bool:
        return token in self.stoi

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.itos == other.itos

    def __hash__(self) -> int:
        return hash(tuple(self.itos))

    def __repr__(self) -> str:
        head = ", ".join(self.itos[4:9])
        return f"Vocab({len(self)} tokens: 4 especiales + {len(self) - 4} palabras: {head}, …)"

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Tokens → ids (una palabra desconocida → ``unk_id``)."""
        unk = self.unk_id
        return [self.stoi.get(t, unk) for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Ids → tokens."""
        return [self.itos[int(i)] for i in ids]

    def to_json(self) -> str:
        return json.dumps({"itos": self.itos}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Vocab":
        itos = json.loads(text)["itos"]
        if list(itos[:4]) != list(cls.SPECIALS):
            raise ValueError(f"Vocab.from_json: los ids especiales no son {cls.SPECIALS}")
        return cls(itos[4:])


# ---------------------------------------------------------------------------
# Configuración y datos
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LMConfig:
    """Todo lo que define un modelo entrenado (y su clave de caché)."""

    corpus: str = "martin_fierro"
    #: tokens de contexto de cada ventana (``<s>`` incluido).
    context_len: int = 10
    #: palabras con menos apariciones en el entrenamiento → ``<unk>``.
    min_count: int = 2
    val_fraction: float = 0.1
    test_fraction: float = 0.1
    split_seed: int = 42
    #: si no es None, usa solo los primeros ``max_groups`` grupos del corpus.
    max_groups: int | None = None
    cell: str = "lstm"
    embed_dim: int = 64
    units: tuple[int, ...] = (128,)
    dropout: float = 0.3
    batch_size: int = 64
    learning_rate: float = 2e-3
    epochs: int = 30
    patience: int = 3
    seed: int = 42

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise ValueError(f"cell debe ser uno de {sorted(CELLS)} y es {self.cell!r}")
        object.__setattr__(self, "units", tuple(int(u) for u in self.units))
        if not self.units:
            raise ValueError("units: hace falta al menos una capa recurrente")
        if self.context_len < 1:
            raise ValueError("context_len debe ser >= 1")

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["units"] = list(self.units)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "LMConfig":
        d = dict(d)
        d["units"] = tuple(d["units"])
        return cls(**d)


def default_config(corpus: str = "martin_fierro") -> LMConfig:
    """La configuración de la lección 04 para el modo actual (rápido o completo).

    ``context_len = 10``: en *Martín Fierro* el verso más largo tiene 9 palabras,
    así que 10 tokens (``<s>`` + 9) alcanzan para que cada objetivo vea su verso
    entero (la lección lo calcula con los datos).
    """
    return LMConfig(
        corpus=corpus,
        embed_dim=pick(full=64, fast=32),
        units=pick(full=(128,), fast=(64,)),
        batch_size=pick(full=64, fast=128),
        epochs=pick(full=30, fast=2),
        patience=3,
    )


@dataclass(frozen=True)
class Splits:
    """Documentos (listas de tokens) de entrenamiento, validación y prueba.

    Se accede como atributo (``splits.train``), como clave (``splits["val"]``)
    o desempaquetando (``train, val, test = splits``).
    """

    train: list[list[str]]
    val: list[list[str]]
    test: list[list[str]]

    def __getitem__(self, key: str) -> list[list[str]]:
        if key not in ("train", "val", "test"):
            raise KeyError(f"{key!r}: las particiones son 'train', 'val' y 'test'")
        return getattr(self, key)

    def __iter__(self) -> Iterator[list[list[str]]]:
        return iter((self.train, self.val, self.test))

    def keys(self) -> tuple[str, str, str]:
        return ("train", "val", "test")

    def items(self) -> list[tuple[str, list[list[str]]]]:
        return [(k, self[k]) for k in self.keys()]


_PROSE = {"don_quijote"}


def corpus_groups(corpus: str) -> list[list[list[str]]]:
    """El corpus como grupos de documentos tokenizados.

    * ``martin_fierro``: grupos = estrofas numeradas del poema, documentos = versos.
    * ``don_quijote`` (prosa): grupos = párrafos, documentos = oraciones.
    * otros: grupos = bloques separados por líneas en blanco, documentos = líneas.

    La partición en entrenamiento/validación/prueba es **por grupo** (un verso
    no queda separado de su estrofa). Los documentos vacíos se descartan.
    """
    from helpers import text as T

    if corpus == "martin_fierro":
        raw_groups: list[list[str]] = T.martin_fierro_stanzas()
    else:
        from helpers.data import load_corpus

        raw = load_corpus(corpus)
        blocks = T.split_stanzas(raw)
        if corpus in _PROSE:
            raw_groups = [T.split_sentences(" ".join(b)) for b in blocks]
        else:
            raw_groups = blocks
    groups = []
    for g in raw_groups:
        docs = [toks for toks in (T.tokenize(d) for d in g) if toks]
        if docs:
            groups.append(docs)
    return groups


def split_groups(groups: Sequence[Sequence[list[str]]], val_fraction: float = 0.1,
                 test_fraction: float = 0.1, seed: int = 42) -> Splits:
    """Mezcla los **grupos** con la semilla y los reparte; devuelve documentos.

    Los grupos de validación y prueba son ``round(fracción · n)`` (al menos uno
    cada uno si la fracción es positiva); el resto es entrenamiento. El orden de
    los documentos dentro de cada grupo se conserva.
    """
    n = len(groups)
    n_val = max(1, round(val_fraction * n)) if val_fraction > 0 else 0
    n_test = max(1, round(test_fraction * n)) if test_fraction > 0 else 0
    if n - n_val - n_test < 1:
        raise ValueError(f"split_groups: {n} grupos no alcanzan para partir")
    order = np.random.default_rng(seed).permutation(n)

    def docs(idx: np.ndarray) -> list[list[str]]:
        return [list(d) for i in sorted(idx.tolist()) for d in groups[i]]

    return Splits(train=docs(order[n_val + n_test:]), val=docs(order[:n_val]),
                  test=docs(order[n_val:n_val + n_test]))


def _groups_for(config: LMConfig) -> list[list[list[str]]]:
    groups = corpus_groups(config.corpus)
    if config.max_groups is not None:
        groups = groups[: config.max_groups]
    return groups


def load_splits(config: LMConfig) -> Splits:
    """Las particiones (por grupo, con ``config.split_seed``) del corpus de ``config``."""
    return split_groups(_groups_for(config), config.val_fraction, config.test_fraction,
                        config.split_seed)


def encode_windows(docs: Iterable[Sequence[str]], vocab: Vocab,
                   context_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Todos los pares (contexto, objetivo) de los documentos, como ids.

    Devuelve ``X`` (``int32``, ``(N, context_len)``) e ``y`` (``int32``, ``(N,)``):
    una fila por objetivo (cada palabra del documento y el ``</s>`` final), con
    el contexto ``<s> w1 … w(i-1)`` recortado a los últimos ``context_len``
    tokens y rellenado con ``<pad>`` (0) a la izquierda.
    """
    if context_len < 1:
        raise ValueError("context_len debe ser >= 1")
    rows: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    for doc in docs:
        ids = np.array([vocab.bos_id, *vocab.encode(doc), vocab.eos_id], dtype=np.int32)
        padded = np.concatenate([np.zeros(context_len - 1, np.int32), ids])
        # ventana j del arreglo rellenado = contexto del objetivo ids[j + 1]
        win = np.lib.stride_tricks.sliding_window_view(padded, context_len)[: len(ids) - 1]
        rows.append(win)
        targets.append(ids[1:])
    if not rows:
        return np.zeros((0, context_len), np.int32), np.zeros((0,), np.int32)
    return np.ascontiguousarray(np.concatenate(rows)), np.concatenate(targets)


def make_dataset(docs: Iterable[Sequence[str]], vocab: Vocab, context_len: int, *,
                 batch_size: int = 256, shuffle: bool = False,
                 seed: int = 0) -> tf.data.Dataset:
    """``tf.data.Dataset`` de lotes ``(X, y)`` con las ventanas de :func:`encode_windows`.

    Con ``shuffle=True`` mezcla todas las ventanas en cada época (con ``seed``).
    """
    X, y = encode_windows(docs, vocab, context_len)
    ds = tf.data.Dataset.from_tensor_slices((X, y))
    if shuffle:
        ds = ds.shuffle(len(X), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


# ---------------------------------------------------------------------------
# Modelo
# ---------------------------------------------------------------------------
def build_lm(vocab_size: int, config: LMConfig | None = None) -> keras.Model:
    """Embedding → capas recurrentes → Dense(V) con logits; compilado.

    Pérdida: entropía cruzada categórica dispersa ``from_logits=True``;
    optimizador Adam con ``config.learning_rate``.
    """
    config = config or default_config()
    cell = CELLS[config.cell]
    layers: list[keras.layers.Layer] = [
        keras.Input(shape=(None,), dtype="int32", name="ids"),
        keras.layers.Embedding(vocab_size, config.embed_dim, mask_zero=True, name="embedding"),
    ]
    for i, units in enumerate(config.units):
        last = i == len(config.units) - 1
        layers.append(cell(units, return_sequences=not last, name=f"{config.cell}_{i}"))
        if config.dropout:
            layers.append(keras.layers.Dropout(config.dropout, name=f"dropout_{i}"))
    layers.append(keras.layers.Dense(vocab_size, name="logits"))
    model = keras.Sequential(layers, name=f"lm_{config.cell}")
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def _logp_fn(model: keras.Model) -> Any:
    """``tf.function`` (una por modelo, guardada en el modelo) que devuelve
    ``log P(y | X)`` de cada fila."""
    fn = getattr(model, "_course_logp_fn", None)
    if fn is None:
        @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32),
                                      tf.TensorSpec([None], tf.int32)], reduce_retracing=True)
        def fn(X: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
            logits = tf.cast(model(X, training=False), tf.float32)
            logp = tf.nn.log_softmax(logits, axis=-1)
            return tf.gather(logp, y, axis=-1, batch_dims=1)

        model._course_logp_fn = fn
    return fn


def target_log_probs(model: keras.Model, data: tf.data.Dataset | tuple[Any, Any],
                     batch_size: int = 512) -> np.ndarray:
    """``log P(objetivo | contexto)`` (logaritmo natural, ``float64``) de cada objetivo.

    ``data`` es un dataset de lotes ``(X, y)`` o un par de arreglos ``(X, y)``.
    El ``log_softmax`` se calcula sobre los logits (sin pasar por
    probabilidades, que podrían redondearse a 0); el paso está compilado con
    ``tf.function`` una vez por modelo.
    """
    if isinstance(data, tuple):
        data = tf.data.Dataset.from_tensor_slices(data).batch(batch_size)
    fn = _logp_fn(model)
    out: list[np.ndarray] = []
    for X, y in data:
        picked = fn(tf.cast(X, tf.int32), tf.cast(y, tf.int32))
        out.append(picked.numpy().astype(np.float64))
    return np.concatenate(out) if out else np.zeros((0,), np.float64)


def evaluate_perplexity(model: keras.Model, data: tf.data.Dataset | tuple[Any, Any]) -> float:
    """Perplejidad de corpus: ``exp(-(1/N) Σ log P(objetivo))`` sobre **todos** los objetivos.

    Suma los logaritmos en ``float64``: ni se multiplican probabilidades ni se
    promedian perplejidades de versos o de lotes.
    """
    logp = target_log_probs(model, data)
    if logp.size == 0:
        raise ValueError("evaluate_perplexity: no hay objetivos que evaluar")
    return float(np.exp(-logp.sum() / logp.size))


class PerplexityCallback(keras.callbacks.Callback):
    """Calcula la perplejidad de validación al final de cada época.

    La escribe en ``logs["val_perplexity"]`` (la ven la barra de progreso, la
    historia de Keras y ``EarlyStopping``, que tienen que ir **después** en la
    lista de callbacks; Keras agrega la historia y la barra al final) y la
    guarda en ``self.values``.
    """

    def __init__(self, data: tf.data.Dataset | tuple[Any, Any], name: str = "val_perplexity"):
        super().__init__()
        self.data = data
        self.name = name
        self.values: list[float] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        ppl = evaluate_perplexity(self.model, self.data)
        self.values.append(ppl)
        if logs is not None:
            logs[self.name] = ppl


class _EpochTimer(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self._t0 = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._t0)


# ---------------------------------------------------------------------------
# Entrenar, guardar, cargar
# ---------------------------------------------------------------------------
@dataclass
class TrainedLM:
    """Un modelo de lenguaje entrenado y todo lo necesario para usarlo."""

    model: keras.Model
    vocab: Vocab
    config: LMConfig
    splits: Splits
    #: por época: ``loss`` (entrenamiento), ``val_perplexity``, ``epoch_seconds``;
    #: además ``best_epoch`` (índice desde 0 de la época cuyos pesos quedaron).
    history: dict[str, Any] = field(default_factory=dict)
    #: ``True`` si los pesos se cargaron de la caché en lugar de entrenarse ahora.
    from_cache: bool = False
    cache_path: Path | None = None

    def dataset(self, split: str = "val", batch_size: int = 512) -> tf.data.Dataset:
        """Las ventanas de una partición como ``tf.data`` (sin mezclar)."""
        return make_dataset(self.splits[split], self.vocab, self.config.context_len,
                            batch_size=batch_size)

    def perplexity(self, split: str = "test") -> float:
        """Perplejidad de corpus del modelo en una partición (``val`` o ``test``)."""
        return evaluate_perplexity(self.model, self.dataset(split))


def train_lm(config: LMConfig | None = None, *, splits: Splits | None = None,
             verbose: Any = "auto") -> TrainedLM:
    """Entrena un modelo (sin caché): vocabulario con el entrenamiento, parada
    temprana sobre la perplejidad de validación y restauración de los mejores pesos.

    ``verbose`` se pasa a ``model.fit`` (``"auto"``/1 = barra de progreso de Keras).
    """
    config = config or default_config()
    splits = splits or load_splits(config)
    vocab = Vocab.fit(splits.train, min_count=config.min_count)
    seed_everything(config.seed)
    train_ds = make_dataset(splits.train, vocab, config.context_len,
                            batch_size=config.batch_size, shuffle=True, seed=config.seed)
    val_ds = make_dataset(splits.val, vocab, config.context_len)
    model = build_lm(len(vocab), config)
    ppl_cb = PerplexityCallback(val_ds)
    timer = _EpochTimer()
    stop = keras.callbacks.EarlyStopping(monitor="val_perplexity", mode="min",
                                         patience=config.patience,
                                         restore_best_weights=True)
    # shuffle=False: el dataset ya se mezcla (con semilla) en cada época.
    fit_hist = model.fit(train_ds, epochs=config.epochs, callbacks=[timer, ppl_cb, stop],
                         shuffle=False, verbose=verbose)
    vals = [float(v) for v in ppl_cb.values]
    history = {
        "loss": [float(v) for v in fit_hist.history.get("loss", [])],
        "val_perplexity": vals,
        "epoch_seconds": timer.seconds,
        "best_epoch": int(np.argmin(vals)) if vals else None,
    }
    return TrainedLM(model=model, vocab=vocab, config=config, splits=splits, history=history)


def model_cache_dir() -> Path:
    """Carpeta de la caché de modelos (``COURSE_MODEL_DIR`` o ``<caché de datos>/models``)."""
    env = os.environ.get(MODEL_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from helpers.data import cache_dir

    return cache_dir() / "models"


def _docs_sha256(splits: Splits) -> str:
    h = hashlib.sha256()
    for name, docs in splits.items():
        h.update(json.dumps([name, docs], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def cache_key(config: LMConfig, splits: Splits) -> str:
    """Hash de (documentos tokenizados, configuración, modo, Keras mayor, formato)."""
    payload = {
        "docs_sha256": _docs_sha256(splits),
        "config": config.to_dict(),
        "fast": fast_mode(),
        "keras_major": keras.__version__.split(".")[0],
        "format": CACHE_FORMAT,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


_WEIGHTS, _VOCAB, _META = "model.weights.h5", "vocab.json", "meta.json"


def _load_cached(path: Path, key: str, config: LMConfig, splits: Splits) -> TrainedLM:
    meta = json.loads((path / _META).read_text(encoding="utf-8"))
    if meta.get("key") != key:
        raise ValueError("la clave guardada no coincide")
    vocab = Vocab.from_json((path / _VOCAB).read_text(encoding="utf-8"))
    if vocab != Vocab.fit(splits.train, min_count=config.min_count):
        raise ValueError("el vocabulario guardado no coincide con el de los datos")
    model = build_lm(len(vocab), config)
    # Con el optimizador construido se restauran también sus variables (Adam),
    # guardadas junto con los pesos: se puede seguir entrenando desde ahí.
    model.optimizer.build(model.trainable_variables)
    model.load_weights(path / _WEIGHTS)
    return TrainedLM(model=model, vocab=vocab, config=config, splits=splits,
                     history=meta["history"], from_cache=True, cache_path=path)


def _save(trained: TrainedLM, path: Path, key: str, *, overwrite: bool = False) -> Path:
    """Escribe en una carpeta temporal hermana y la renombra (atómico).

    Si otro proceso ya guardó la misma clave mientras entrenábamos (p. ej. dos
    notebooks en paralelo con la caché vacía), se conserva la suya salvo que
    ``overwrite`` (``retrain=True``) pida reemplazarla.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        trained.model.save_weights(tmp / _WEIGHTS)
        (tmp / _VOCAB).write_text(trained.vocab.to_json(), encoding="utf-8")
        meta = {
            "key": key,
            "config": trained.config.to_dict(),
            "fast": fast_mode(),
            "history": trained.history,
            "keras_version": keras.__version__,
            "tensorflow_version": tf.__version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        # meta.json se escribe último: una carpeta sin él está incompleta.
        (tmp / _META).write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                 encoding="utf-8")
        if path.exists():
            if not overwrite:
                shutil.rmtree(tmp, ignore_errors=True)
                return path
            shutil.rmtree(path, ignore_errors=True)
        try:
            os.replace(tmp, path)
        except OSError:
            # Otro proceso escribió la misma clave mientras tanto: vale la suya.
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def load_or_train(config: LMConfig | None = None, *, splits: Splits | None = None,
                  cache_dir: str | os.PathLike[str] | None = None, retrain: bool = False,
                  verbose: Any = "auto") -> TrainedLM:
    """Carga de la caché el modelo de ``config`` o lo entrena y lo guarda.

    ``config`` por omisión: :func:`default_config` (según el modo). ``splits``:
    documentos propios (por ejemplo, otro texto en el desafío) en lugar del
    corpus ``config.corpus``; la clave de caché incluye los documentos, así que
    cada texto tiene su entrada. ``cache_dir`` por omisión: :func:`model_cache_dir`.
    ``retrain=True`` ignora la caché. Una entrada incompleta o dañada se avisa,
    se borra y se reentrena.
    """
    config = config or default_config()
    splits = splits or load_splits(config)
    key = cache_key(config, splits)
    root = Path(cache_dir) if cache_dir is not None else model_cache_dir()
    path = root / f"{config.corpus}-{config.cell}-{key[:20]}"
    if path.exists() and not retrain:
        try:
            return _load_cached(path, key, config, splits)
        except Exception as exc:  # noqa: BLE001 - cualquier daño → reentrenar
            warnings.warn(f"Caché de modelo dañada o incompleta en {path} ({exc}); "
                          "se vuelve a entrenar.", stacklevel=2)
            shutil.rmtree(path, ignore_errors=True)
    trained = train_lm(config, splits=splits, verbose=verbose)
    try:
        _save(trained, path, key, overwrite=retrain)
        trained.cache_path = path
    except OSError as exc:
        warnings.warn(f"No se pudo guardar el modelo en la caché {path} ({exc}).", stacklevel=2)
    return trained
