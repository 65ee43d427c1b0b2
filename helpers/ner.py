"""Un conjunto de datos sintético de etiquetado de entidades (NER) en castellano.

Lo escribe este proyecto para la lección de RNN bidireccionales (diapositiva 8
de la clase): en *«Hoy escuché que Victoria terminó su bot para NLP»* Victoria
es una **persona**; en *«Hoy escuché que Victoria cambió de intendente»* es una
**ciudad**. Lo que decide está *después* del nombre.

Cómo se construye cada oración (``contexto izquierdo + ENTIDAD + contexto
derecho + "."``):

1. Se elige la clase de la entidad: un nombre ambiguo (ciudad argentina que
   también es nombre de pila), una persona o un lugar sin ambigüedad.
2. El contexto izquierdo se sortea de **una sola lista**, la misma para
   personas y lugares, y *antes* de decidir la lectura: no dice nada sobre la
   etiqueta.
3. Para un nombre ambiguo, la lectura (``PER`` o ``LOC``) se sortea con la
   probabilidad :data:`P_PERSON` propia de cada nombre, independiente del
   contexto izquierdo.
4. El contexto derecho sale de una lista distinta para cada lectura (ninguna
   frase está en las dos listas): **solo las palabras de la derecha deciden**.
   Algunas frases empiezan igual en las dos listas («tiene un perro nuevo» /
   «tiene un puerto nuevo»), así que la palabra que decide puede estar varios
   pasos más allá.

Etiquetas: ``O`` / ``PER`` / ``LOC`` (una por token). Cada token trae además
una bandera ``ambiguous``: ``True`` solo en el nombre ambiguo de la oración.

Las oraciones son únicas en todo el conjunto y se reparten en
entrenamiento / validación / prueba sin repetirse. Todo sale de una semilla.

Utilidades de codificación: :func:`build_vocab` y :func:`encode` (índices
enteros, relleno a la derecha con 0).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from helpers import tokens as _tok

__all__ = [
    "TAGS",
    "TAG_INDEX",
    "PAD",
    "UNK",
    "P_PERSON",
    "AMBIGUOUS_NAMES",
    "PERSON_NAMES",
    "PLACE_NAMES",
    "LEFT_CONTEXTS",
    "RIGHT_CONTEXTS",
    "Sentence",
    "NerSplits",
    "Encoded",
    "make_dataset",
    "build_vocab",
    "encode",
]

TAGS: tuple[str, ...] = ("O", "PER", "LOC")
TAG_INDEX: dict[str, int] = {t: i for i, t in enumerate(TAGS)}
PAD, UNK = _tok.PAD, _tok.UNK

#: Ciudades argentinas que también son nombres de pila, con la probabilidad de
#: que el generador las use como **persona**. Distintas de 1/2 a propósito: un
#: modelo que solo mira el pasado puede aprender cuál lectura es más frecuente
#: para cada nombre, pero nada más.
P_PERSON: dict[str, float] = {
    "Victoria": 0.70,
    "Mercedes": 0.30,
    "Rafaela": 0.70,
    "Dolores": 0.35,
    "Florencia": 0.75,
    "Pilar": 0.30,
    "Rosario": 0.25,
    "Esperanza": 0.65,
}
AMBIGUOUS_NAMES: tuple[str, ...] = tuple(P_PERSON)

PERSON_NAMES: tuple[str, ...] = (
    "Martín", "Lucía", "Sofía", "Juan", "Camila", "Diego",
    "Valentina", "Mateo", "Julieta", "Tomás", "Agustina", "Facundo",
)
PLACE_NAMES: tuple[str, ...] = (
    "Córdoba", "Mendoza", "Salta", "Ushuaia", "Tandil", "Bariloche",
    "Neuquén", "Corrientes", "Paraná", "Jujuy", "Tucumán", "Formosa",
)

_OPENERS: tuple[str, ...] = ("", "Hoy", "Ayer", "Esta mañana", "Che ,", "Al final", "Por lo visto ,")
_REPORTS: tuple[str, ...] = (
    "escuché que", "me contaron que", "leí que", "dicen que",
    "en la radio dijeron que", "mi vieja me dijo que", "salió en el diario que", "parece que",
)


def _left_contexts() -> tuple[tuple[str, ...], ...]:
    out = []
    for opener in _OPENERS:
        for report in _REPORTS:
            words = f"{opener} {report}".split()
            words[0] = words[0][0].upper() + words[0][1:]
            out.append(tuple(words))
    return tuple(out)


#: Contextos izquierdos: **los mismos** para todas las entidades.
LEFT_CONTEXTS: tuple[tuple[str, ...], ...] = _left_contexts()

#: Contextos derechos por lectura. ``{PER}`` y ``{LOC}`` son huecos que se
#: llenan con un nombre *no* ambiguo (etiquetado como tal).
RIGHT_CONTEXTS: dict[str, tuple[str, ...]] = {
    "PER": (
        "terminó su bot para NLP",
        "se recibió de ingeniera",
        "cumple años el sábado",
        "aprendió a programar en Python",
        "está de novia con un músico",
        "ganó el torneo de ajedrez del club",
        "tiene un perro nuevo",
        "ya tiene nuevo novio",
        "se mudó a {LOC}",
        "viajó con {PER} a {LOC}",
        "va a estudiar medicina",
        "se casó con {PER}",
        "escribió su primera novela",
        "renunció a su trabajo en el banco",
        "está a dieta desde el lunes",
        "le prestó la bici a {PER}",
    ),
    "LOC": (
        "cambió de intendente",
        "tiene un nuevo hospital",
        "tiene un puerto nuevo",
        "ya tiene nuevo intendente",
        "quedó bajo el agua por la tormenta",
        "inauguró una plaza enorme",
        "tuvo récord de turistas",
        "se quedó sin luz toda la noche",
        "está a dos horas de {LOC}",
        "eligió a {PER} como intendenta",
        "ahora tiene tren a {LOC}",
        "celebra su fiesta patronal",
        "recibió a miles de turistas",
        "tiene cien mil habitantes",
        "queda cerca de {LOC}",
        "le ganó la final a {LOC}",
    ),
}

# Proporción de oraciones cuya entidad principal es ambigua / persona / lugar.
_KIND_WEIGHTS = {"ambiguous": 0.5, "person": 0.25, "place": 0.25}


@dataclass(frozen=True)
class Sentence:
    """Una oración etiquetada: tokens, etiquetas y bandera de nombre ambiguo."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    ambiguous: tuple[bool, ...]

    def __post_init__(self) -> None:
        if not (len(self.tokens) == len(self.tags) == len(self.ambiguous)):
            raise ValueError("tokens, tags y ambiguous deben tener el mismo largo")

    def __len__(self) -> int:
        return len(self.tokens)

    def text(self) -> str:
        return " ".join(self.tokens)


@dataclass(frozen=True)
class NerSplits:
    """Particiones de entrenamiento, validación y prueba."""

    train: list[Sentence]
    val: list[Sentence]
    test: list[Sentence]


def _fill(template: str, rng: random.Random) -> tuple[list[str], list[str]]:
    tokens: list[str] = []
    tags: list[str] = []
    for word in template.split():
        if word == "{PER}":
            tokens.append(rng.choice(PERSON_NAMES))
            tags.append("PER")
        elif word == "{LOC}":
            tokens.append(rng.choice(PLACE_NAMES))
            tags.append("LOC")
        else:
            tokens.append(word)
            tags.append("O")
    return tokens, tags


def _sample_sentence(rng: random.Random) -> Sentence:
    kind = rng.choices(list(_KIND_WEIGHTS), weights=list(_KIND_WEIGHTS.values()))[0]
    # El contexto izquierdo se sortea ANTES que la lectura y de la misma lista.
    left = list(rng.choice(LEFT_CONTEXTS))
    if kind == "ambiguous":
        name = rng.choice(AMBIGUOUS_NAMES)
        reading = "PER" if rng.random() < P_PERSON[name] else "LOC"
    elif kind == "person":
        name, reading = rng.choice(PERSON_NAMES), "PER"
    else:
        name, reading = rng.choice(PLACE_NAMES), "LOC"
    right, right_tags = _fill(rng.choice(RIGHT_CONTEXTS[reading]), rng)
    tokens = left + [name] + right + ["."]
    tags = ["O"] * len(left) + [reading] + right_tags + ["O"]
    amb = [False] * len(tokens)
    amb[len(left)] = kind == "ambiguous"
    return Sentence(tuple(tokens), tuple(tags), tuple(amb))


def make_dataset(n_train: int, n_val: int, n_test: int, seed: int = 0) -> NerSplits:
    """Genera ``n_train + n_val + n_test`` oraciones **distintas** y las reparte.

    Misma semilla, mismas oraciones en el mismo orden. Ninguna oración aparece en
    dos particiones.
    """
    sizes = (n_train, n_val, n_test)
    if any(n < 0 for n in sizes):
        raise ValueError(f"los tamaños deben ser >= 0, se obtuvo {sizes}")
    total = sum(sizes)
    rng = random.Random(seed)
    seen: set[tuple[str, ...]] = set()
    sentences: list[Sentence] = []
    attempts = 0
    while len(sentences) < total:
        attempts += 1
        if attempts > 50 * total + 1000:
            raise ValueError(f"no se pudieron generar {total} oraciones distintas")
        s = _sample_sentence(rng)
        if s.tokens in seen:
            continue
        seen.add(s.tokens)
        sentences.append(s)
    return NerSplits(
        train=sentences[:n_train],
        val=sentences[n_train:n_train + n_val],
        test=sentences[n_train + n_val:],
    )


def build_vocab(sentences: Iterable[Sentence], min_count: int = 1) -> dict[str, int]:
    """Vocabulario ``token -> índice``: 0 es el relleno (``<pad>``), 1 lo
    desconocido (``<unk>``); el resto por frecuencia descendente (empates en
    orden alfabético)."""
    counts = Counter(tok for s in sentences for tok in s.tokens)
    words = sorted((w for w, c in counts.items() if c >= min_count),
                   key=lambda w: (-counts[w], w))
    vocab = {PAD: _tok.PAD_ID, UNK: _tok.UNK_ID}
    for w in words:
        vocab[w] = len(vocab)
    return vocab


@dataclass(frozen=True)
class Encoded:
    """Una partición codificada, rellenada a la derecha hasta ``maxlen``.

    ``X`` (n, maxlen) índices de tokens (0 = relleno); ``Y`` (n, maxlen)
    índices de etiquetas (el relleno lleva 0 = ``O``); ``ambiguous`` (n, maxlen)
    ``True`` en los nombres ambiguos; ``lengths`` (n,) largos reales;
    ``mask`` (n, maxlen) ``True`` en los tokens reales.
    """

    X: np.ndarray
    Y: np.ndarray
    ambiguous: np.ndarray
    lengths: np.ndarray

    @property
    def mask(self) -> np.ndarray:
        return np.arange(self.X.shape[1])[None, :] < self.lengths[:, None]


def encode(sentences: Sequence[Sentence], vocab: dict[str, int],
           maxlen: int | None = None) -> Encoded:
    """Codifica oraciones como matrices enteras rellenadas a la derecha con 0.

    ``maxlen=None`` usa el largo de la oración más larga; una oración más larga
    que ``maxlen`` es un error (no se corta en silencio).
    """
    lengths = np.array([len(s) for s in sentences], dtype=np.int32)
    if maxlen is None:
        maxlen = int(lengths.max()) if len(sentences) else 0
    if len(sentences) and lengths.max() > maxlen:
        raise ValueError(f"hay una oración de {lengths.max()} tokens y maxlen={maxlen}")
    n = len(sentences)
    X = np.zeros((n, maxlen), dtype=np.int32)
    Y = np.zeros((n, maxlen), dtype=np.int32)
    A = np.zeros((n, maxlen), dtype=bool)
    unk = vocab[UNK]
    for i, s in enumerate(sentences):
        L = len(s)
        X[i, :L] = [vocab.get(t, unk) for t in s.tokens]
        Y[i, :L] = [TAG_INDEX[t] for t in s.tags]
        A[i, :L] = s.ambiguous
    return Encoded(X, Y, A, lengths)
