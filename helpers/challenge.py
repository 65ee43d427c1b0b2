"""El desafío de la clase: métricas de generación y comprobaciones para corregirlo.

*«Utilizar otro dataset y poner en práctica la generación de secuencias con las
estrategias presentadas.»* El notebook ``desafio/desafio_generacion.ipynb`` lo
convierte en una tarea con nota. Este módulo tiene dos partes:

**Lo que el estudiante usa y no tiene que escribir** (la lección 06 calcula
estas métricas en una celda de demostración, no en una función evaluada):

* :func:`distinct_n`, :func:`repetition_rate`, :func:`mean_length`,
  :func:`finished_rate`, :func:`text_metrics`: métricas sobre textos generados
  (listas de tokens), que ignoran los tokens especiales;
* :func:`table_row`: una fila de la tabla comparativa a partir de un
  :class:`helpers.decoding.Generation`, con la perplejidad que el propio modelo
  le da a lo generado.

**Lo que llaman las celdas de evaluación** (cada función lanza
``AssertionError`` con un mensaje en castellano que dice qué se esperaba y qué
se encontró):

* :func:`check_corpus`: el corpus no es el *Martín Fierro* (se reconoce por el
  **contenido**, con versos de control, no por el nombre) y es grande;
* :func:`check_splits`: las particiones salen del texto y no comparten
  documentos (salvo los que el texto mismo repite);
* :func:`check_report` y :func:`check_baselines`: el corrector **recalcula** la
  perplejidad con el modelo y los datos del estudiante, la compara con la
  informada y exige que le gane al unigrama;
* :func:`check_table` y :func:`check_table_model`: están todas las estrategias
  con sus parámetros, las métricas están en rango y coinciden con las que se
  recalculan desde los textos y desde el modelo; las filas greedy, top-k y top-p
  son compatibles con lo que el modelo predice en cada paso.

Las comprobaciones leen objetos del notebook por **duck typing** (atributos y
claves), no con ``isinstance`` contra clases de los helpers: al corregir, los
módulos ``helpers.*`` se recargan antes de cada celda de evaluación y las
clases del notebook ya no son las del módulo recargado.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from helpers.checks import _fmt, check_type

__all__ = [
    "MARTIN_FIERRO_MAX",
    "MARTIN_FIERRO_VERSES",
    "METRICS",
    "MIN_HELDOUT_TARGETS",
    "MIN_PROMPTS",
    "MIN_TRAIN_TARGETS",
    "MIN_WORDS",
    "PARAMS",
    "REPORT_MODELS",
    "SPECIAL_TOKENS",
    "STRATEGIES",
    "check_baselines",
    "check_corpus",
    "check_report",
    "check_splits",
    "check_table",
    "check_table_model",
    "distinct_n",
    "finished_rate",
    "martin_fierro_share",
    "mean_length",
    "repetition_rate",
    "table_row",
    "text_metrics",
]

#: Palabras mínimas del texto elegido (el archivo del *Martín Fierro* tiene 12 115).
MIN_WORDS = 50_000
#: Objetivos mínimos (palabras + un ``</s>`` por documento) de cada partición.
MIN_TRAIN_TARGETS = 20_000
MIN_HELDOUT_TARGETS = 1_000
#: Semillas (prompts) mínimas por estrategia en la tabla.
MIN_PROMPTS = 10
#: Fracción de versos de control del *Martín Fierro* a partir de la cual un
#: texto se considera el poema (o lo contiene en buena parte).
MARTIN_FIERRO_MAX = 0.10

SPECIAL_TOKENS = ("<pad>", "<unk>", "</s>", "<s>")
_EOS = "</s>"
PARTITIONS = ("train", "val", "test")

#: Estrategias de la tabla y los parámetros que tiene que declarar cada fila.
STRATEGIES = ("greedy", "beam", "temperatura", "top-k", "top-p")
PARAMS: dict[str, tuple[str, ...]] = {
    "greedy": (),
    "beam": ("ancho", "alpha"),
    "temperatura": ("T",),
    "top-k": ("k",),
    "top-p": ("p",),
}
#: Métricas de cada fila: las de la lección 06.
METRICS = ("perplejidad", "distinct_1", "distinct_2", "repeticion", "largo", "terminan")
#: Filas del reporte de perplejidades (cada una con ``"val"`` y ``"test"``).
REPORT_MODELS = ("modelo", "uniforme", "unigrama", "kn_bigrama", "kn_trigrama")

# ---------------------------------------------------------------------------
# Martín Fierro, por contenido
# ---------------------------------------------------------------------------

#: Versos de control de *El Gaucho Martín Fierro* (Gutenberg #14765): de los
#: versos de seis palabras o más que aparecen una sola vez en el poema, 100
#: repartidos a lo largo del texto (el ``i``-ésimo es el candidato
#: ``i * n // 100``). Ninguno aparece en *Don Quijote* ni en *tiny
#: shakespeare* (lo comprueba ``tests/test_challenge.py``, que además rehace la
#: selección desde el corpus). Están acá, y no se leen del corpus al corregir,
#: para que la comprobación no dependa de la red ni de la caché.
MARTIN_FIERRO_VERSES: tuple[str, ...] = (
    'Que el hombre que lo desvela', 'Dende el vientre de mi madre',
    'Ni las moscas se me arriman,', 'Y soy duro con los duros,', 'En el fondo de la mar;',
    'Yo no tengo en el amor', 'Viene el hombre ciego al mundo,', 'y más malo que su agüela,',
    'con el cabresto en la mano.', 'en que uno se daba mana,', 'Estaba el gaucho en su pago',
    'ni tiento que no se corte!.', 'y que usté quiera o no quiera,',
    '¡y qué iba a hallar al volver!', 'que decía en la última guerra',
    'me le había hecho el remolón', 'los van a ir a relevar.', 'De los pobres que allí había',
    '¡Y qué indios, ni qué servicio;', 'si eso es servir al gobierno,',
    'Y cuando se iban los indios', 'de hambre, de sé y de fatiga;',
    'y después se iban de arriba;', 'que había boleao en la sierra.',
    'Si me atribulo o me encojo,', 'pero yo hice la obra santa', 'no hay plaga como un fortín',
    'a pie y mostrando el umbligo,', 'con más cuentas que un rosario,',
    'yo me lo empecé a atracar,', 'y hasta aura he visto ni un grullo;',
    'en tal tiempo o en tal otro...', 'y me les hacía el dormido',
    'más que su poncho y su sable,', 'y fi el pavo de la boda.', 'Por de contao, con el tiro',
    'y al gringo la noche entera', 'y yo he visto muchas veces',
    'no hay ejemplo de que entiendan,', 'que iba a riunir el ejército',
    'en los trances que me he visto.', 'sin que me espante el estrago,',
    'ser mas malo que una fiera!', 'sin duda a buscar el pan', 'ya que no me la dio a mí,',
    'ha de llevarme en la armada.', 'Aunque muchos creen que el gaucho',
    'que alegre de verme entre ellos', 'Y dentró al baile muy tiesa',
    'Ahi nomás pegó el de hollín', 'le hice un tiro, lo quitó', 'de la agonía de aquel negro.',
    'cayó un gaucho que hacia alarde', 'le dio un empellón a un vasco,',
    'Monté y me encomendé a Dios,', 'Le echan la agua del bautismo',
    'si en un baile lo sorprienden;', 'Él nada gana en la paz',
    'porque es lo que él necesita!', 'Y en esa hora de la tarde',
    'y no quería que en las casas', 'y que Dios las haiga criao', 'que yo me puse en cuidao;',
    'y en una mata de paja', 'que allí se hallaba un varón;', 'y eché mano a mi facón.',
    'Dos de ellos que traiban sables', 'ser más güeno que una malva.',
    'de no, me mata los piojos;', 'de punta y tajos a un criollo;',
    'me hinqué y les recé un bendito,', 'al pichel, y por mas señas,',
    'Dios sabe en lo que vendrá', 'y la escarcha en el invierno', 'paso a paso y como pueda,',
    'y usté tal vez ni un rebozo', 'Él me daba voz de amigo,', 'Es triste a no poder más',
    'Peló la espalda y se vino', 'hasta que al fin le dentré', 'ya no he de probar fortuna',
    'cuando llego a abrir el pico,', 'supe una vez por mi mal', 'volié la anca y le grité:',
    'No ha de haber achocao otro:', 'ni se lonjea contra el pelo!',
    'Le alvertiré que en mi pago', 'y a mí no me gusta andar', 'y hago un poncho, si lo sobo,',
    'hasta que lo trague el hoyo,', 'que con otro tuvo el juez;', 'ya veo que somos los dos',
    'pero más le dio al cristiano', 'que el valor pa su defensa?',
    'cuando se van por su gusto.', 'El que es gaucho ve ande apunta',
    'y ha de ser gaucho el ñandú', 'y ha de haber grande alegría', 'el que sabe echar un pial',
    'lo hizo astillas contra el suelo.',
)


def _strip_accents(token: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", token) if not unicodedata.combining(c))


def _mf_keys() -> list[str]:
    from helpers.text import tokenize

    return [" " + " ".join(_strip_accents(t) for t in tokenize(v)) + " "
            for v in MARTIN_FIERRO_VERSES]


def _as_stream(tokens: Iterable[str]) -> str:
    return " " + " ".join(tokens) + " "


def martin_fierro_share(text: str | Iterable[Sequence[str]]) -> float:
    """Fracción de los versos de control del *Martín Fierro* que aparecen en ``text``.

    ``text`` es un texto (se tokeniza con :func:`helpers.text.tokenize`) o una
    colección de documentos ya tokenizados. Se compara sin tildes ni
    puntuación ni mayúsculas: cambiar el formato, la puntuación o el nombre no
    esconde el poema. Un texto que no es el poema da 0 (o casi); el poema
    entero, 1.
    """
    from helpers.text import tokenize

    if isinstance(text, str):
        tokens: Iterable[str] = tokenize(text)
    else:
        tokens = (t for doc in text for t in doc)
    stream = _as_stream(_strip_accents(t) for t in tokens if not _is_punct(t))
    keys = _mf_keys()
    return sum(k in stream for k in keys) / len(keys)


# ---------------------------------------------------------------------------
# Métricas de generación (las de la lección 06)
# ---------------------------------------------------------------------------

def _words(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if t not in SPECIAL_TOKENS]


def distinct_n(texts: Iterable[Sequence[str]], n: int) -> float:
    """n-gramas distintos sobre el total, juntando todos los textos (0 si no hay).

    Cada texto es una lista de tokens; los especiales (``<unk>``, ``</s>``…) se
    quitan antes de formar los n-gramas. Los n-gramas no cruzan de un texto a
    otro.
    """
    if n < 1:
        raise ValueError(f"n debe ser >= 1 y es {n}")
    grams = []
    for text in texts:
        w = _words(text)
        grams.extend(tuple(w[i:i + n]) for i in range(len(w) - n + 1))
    return len(set(grams)) / len(grams) if grams else 0.0


def repetition_rate(texts: Iterable[Sequence[str]]) -> float:
    """Fracción de palabras que repiten una palabra anterior **del mismo texto**.

    Sin tokens especiales; 0 si no hay palabras. (La lección 06 contaba también
    las palabras del prompt; acá solo lo generado.)
    """
    repeated = total = 0
    for text in texts:
        seen: set[str] = set()
        for w in _words(text):
            total += 1
            repeated += w in seen
            seen.add(w)
    return repeated / total if total else 0.0


def mean_length(texts: Sequence[Sequence[str]]) -> float:
    """Largo medio de los textos en tokens, sin contar ``</s>`` (0 si no hay textos)."""
    if not len(texts):
        return 0.0
    return float(np.mean([sum(t != _EOS for t in text) for text in texts]))


def finished_rate(texts: Sequence[Sequence[str]]) -> float:
    """Fracción de textos que terminan con ``</s>`` (el modelo cerró el documento)."""
    if not len(texts):
        return 0.0
    return float(np.mean([len(text) > 0 and text[-1] == _EOS for text in texts]))


def text_metrics(texts: Sequence[Sequence[str]]) -> dict[str, float]:
    """Las métricas de :data:`METRICS` que salen solo del texto (todas menos la perplejidad)."""
    return {
        "distinct_1": distinct_n(texts, 1),
        "distinct_2": distinct_n(texts, 2),
        "repeticion": repetition_rate(texts),
        "largo": mean_length(texts),
        "terminan": finished_rate(texts),
    }


def table_row(strategy: str, params: Mapping[str, Any], prompts: Sequence[Sequence[int]],
              generation: Any, vocab: Any) -> dict[str, Any]:
    """Una fila de la tabla del desafío.

    ``strategy``: una de :data:`STRATEGIES`; ``params``: sus parámetros (ver
    :data:`PARAMS`, p. ej. ``{"ancho": 5, "alpha": 1.0}``); ``prompts``: los ids
    de las semillas (con ``<s>``) que se le pasaron al decodificador;
    ``generation``: lo que devolvió ``Decoder.generate`` (``.tokens`` y
    ``.log_probs``); ``vocab``: el vocabulario del modelo.

    La **perplejidad** es la del propio modelo sobre lo generado (temperatura 1,
    sin filtros, ``</s>`` incluido): ``exp(-Σ log P / N)`` con ``N`` = tokens
    generados. Las demás métricas son las de :func:`text_metrics`.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"estrategia {strategy!r} desconocida: las válidas son {STRATEGIES}")
    tokens = [list(map(int, t)) for t in generation.tokens]
    if len(tokens) != len(prompts):
        raise ValueError(f"hay {len(prompts)} semillas y {len(tokens)} textos generados")
    n_tokens = sum(len(t) for t in tokens)
    if n_tokens == 0:
        raise ValueError("no se generó ningún token")
    generated = [vocab.decode(t) for t in tokens]
    row: dict[str, Any] = {
        "estrategia": strategy,
        "parametros": dict(params),
        "semillas": [vocab.decode(p) for p in prompts],
        "generados": generated,
        "perplejidad": math.exp(-float(np.sum(generation.log_probs)) / n_tokens),
    }
    row.update(text_metrics(generated))
    return row


# ---------------------------------------------------------------------------
# Utilidades de las comprobaciones
# ---------------------------------------------------------------------------

_PUNCT_RE = re.compile(r"^[^\w]+$")


def _is_punct(token: str) -> bool:
    return bool(_PUNCT_RE.match(token))


def _excerpt(doc: Sequence[str], n: int = 12) -> str:
    words = " ".join(doc[:n])
    return f"«{words}{' …' if len(doc) > n else ''}»"


def _is_number(x: Any) -> bool:
    return (isinstance(x, (int, float, np.integer, np.floating))
            and not isinstance(x, (bool, np.bool_)))


def _number(x: Any, name: str) -> float:
    if not _is_number(x):
        raise AssertionError(
            f"{name}: se esperaba un número y se obtuvo {type(x).__name__} ({x!r}).")
    value = float(x)
    if not math.isfinite(value):
        raise AssertionError(f"{name}: se esperaba un número finito y se obtuvo {_fmt(value)}.")
    return value


def _partitions(splits: Any) -> dict[str, list[Sequence[str]]]:
    """Las tres particiones como listas de documentos (listas de str), validadas."""
    if all(hasattr(splits, k) for k in PARTITIONS) and not isinstance(splits, Mapping):
        parts = {k: getattr(splits, k) for k in PARTITIONS}
    elif isinstance(splits, Mapping):
        missing = [k for k in PARTITIONS if k not in splits]
        if missing:
            raise AssertionError(
                f"splits: se esperaban las particiones {list(PARTITIONS)}; faltan {missing}.")
        parts = {k: splits[k] for k in PARTITIONS}
    else:
        raise AssertionError(
            "splits: se esperaba un helpers.lm.Splits (lo devuelve split_groups) o un "
            f"diccionario con 'train', 'val' y 'test'; se obtuvo {type(splits).__name__}.")
    for name, docs in parts.items():
        if not isinstance(docs, (list, tuple)):
            raise AssertionError(
                f"splits['{name}']: se esperaba una lista de documentos y se obtuvo "
                f"{type(docs).__name__}.")
        if not docs:
            raise AssertionError(
                f"splits['{name}']: se esperaba al menos un documento y está vacía.")
        for i, doc in enumerate(docs):
            if not isinstance(doc, (list, tuple)) or not all(isinstance(t, str) for t in doc):
                raise AssertionError(
                    f"splits['{name}'][{i}]: cada documento tiene que ser una lista de tokens "
                    f"(str) y se obtuvo {type(doc).__name__} ({str(doc)[:60]}…). Usá "
                    "helpers.text.tokenize.")
    return {k: list(v) for k, v in parts.items()}


def _targets(docs: Sequence[Sequence[str]]) -> int:
    return sum(len(d) + 1 for d in docs)


def _key(doc: Sequence[str]) -> tuple[str, ...]:
    return tuple(t for t in doc if not _is_punct(t))


def _count_upto(stream: str, pattern: str, limit: int) -> int:
    """Apariciones (solapadas) de ``pattern`` en ``stream``, contando hasta ``limit``."""
    count, start = 0, 0
    while count < limit:
        i = stream.find(pattern, start)
        if i < 0:
            break
        count += 1
        start = i + 1
    return count


def _text_stream(text: Any) -> str:
    from helpers.text import tokenize

    check_type(text, str, "texto")
    return _as_stream(tokenize(text))


def _lm_parts(lm: Any) -> tuple[Any, Any, Any]:
    missing = [a for a in ("model", "vocab", "config") if not hasattr(lm, a)]
    if missing:
        raise AssertionError(
            "lm: se esperaba lo que devuelve helpers.lm.load_or_train (con .model, .vocab y "
            f".config); se obtuvo {type(lm).__name__}, sin {missing}.")
    vocab = lm.vocab
    if not isinstance(getattr(vocab, "itos", None), list) or not hasattr(vocab, "stoi"):
        raise AssertionError("lm.vocab: se esperaba un helpers.lm.Vocab (con itos y stoi).")
    return lm.model, vocab, lm.config


def _special_ids(vocab: Any) -> tuple[int, int, int, int]:
    return (int(getattr(vocab, "pad_id", 0)), int(getattr(vocab, "unk_id", 1)),
            int(getattr(vocab, "eos_id", 2)), int(getattr(vocab, "bos_id", 3)))


def _rel_diff(found: float, expected: float) -> float:
    return abs(found - expected) / max(abs(expected), 1e-12)


# ---------------------------------------------------------------------------
# 1. El corpus
# ---------------------------------------------------------------------------

_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def check_corpus(name: Any, text: Any, *, min_words: int = MIN_WORDS,
                 max_martin_fierro: float = MARTIN_FIERRO_MAX) -> None:
    """``CORPUS_NAME`` y ``texto`` del desafío.

    * ``name``: nombre corto (letras sin tilde, dígitos, ``_`` o ``-``), que no
      sea ``martin_fierro``;
    * ``text``: al menos ``min_words`` palabras;
    * ``text`` no es el *Martín Fierro*: menos de ``max_martin_fierro`` de los
      versos de control (ver :func:`martin_fierro_share`).
    """
    from helpers.text import tokenize

    check_type(name, str, "CORPUS_NAME")
    if not _NAME_RE.match(name):
        raise AssertionError(
            "CORPUS_NAME: se esperaba un nombre corto, de 1 a 40 letras sin tilde, dígitos, "
            f"'_' o '-' (se usa para nombrar la caché del modelo), y se obtuvo {name!r}.")
    if _strip_accents(name).lower().replace("-", "_") in {"martin_fierro", "martinfierro"}:
        raise AssertionError(
            "CORPUS_NAME: se esperaba un corpus distinto del Martín Fierro (el de las "
            f"lecciones) y se obtuvo {name!r}.")
    check_type(text, str, "texto")
    tokens = tokenize(text)
    share = martin_fierro_share([tokens])
    if share >= max_martin_fierro:
        raise AssertionError(
            f"texto: se esperaba un texto distinto del Martín Fierro, pero contiene "
            f"{share:.0%} de sus versos de control (el límite es {max_martin_fierro:.0%}). "
            "El desafío es entrenar con otro corpus: cambiarle el nombre no alcanza.")
    n_words = sum(1 for t in tokens if not t.isdigit())
    if n_words < min_words:
        raise AssertionError(
            f"texto: se esperaban al menos {min_words} palabras para entrenar un modelo de "
            f"lenguaje y tiene {n_words}. Elegí un texto más largo.")


# ---------------------------------------------------------------------------
# 2. Las particiones
# ---------------------------------------------------------------------------

def check_splits(splits: Any, text: Any, *, check_sources: bool = False,
                 max_martin_fierro: float | None = None, sample: int = 300) -> None:
    """``splits`` del desafío: tamaños, sin documentos compartidos, salidos de ``text``.

    * cada partición es una lista no vacía de documentos (listas de tokens);
      entrenamiento con al menos :data:`MIN_TRAIN_TARGETS` objetivos y al menos
      la mitad del total; validación y prueba con al menos
      :data:`MIN_HELDOUT_TARGETS` cada una;
    * **sin superposición**: un documento que está en dos particiones solo se
      acepta si el texto lo repite al menos tantas veces como aparece en las
      particiones (frases cortas como «—Sí, señor.» se repiten de verdad);
    * ``check_sources``: una muestra de ``sample`` documentos de cada partición
      aparece tal cual en ``text`` tokenizado con :func:`helpers.text.tokenize`;
    * ``max_martin_fierro``: los documentos de las particiones tampoco son el
      *Martín Fierro*.
    """
    parts = _partitions(splits)
    sizes = {k: _targets(v) for k, v in parts.items()}
    total = sum(sizes.values())
    if sizes["train"] < MIN_TRAIN_TARGETS:
        raise AssertionError(
            f"splits['train']: se esperaban al menos {MIN_TRAIN_TARGETS} objetivos (palabras + "
            f"un </s> por documento) y tiene {sizes['train']}.")
    for k in ("val", "test"):
        if sizes[k] < MIN_HELDOUT_TARGETS:
            raise AssertionError(
                f"splits['{k}']: se esperaban al menos {MIN_HELDOUT_TARGETS} objetivos para "
                f"medir una perplejidad estable y tiene {sizes[k]}.")
    if sizes["train"] < 0.5 * total:
        raise AssertionError(
            f"splits['train']: se esperaba al menos la mitad de los objetivos y tiene "
            f"{sizes['train']} de {total} ({sizes['train'] / total:.0%}).")

    stream = _text_stream(text)
    counts = {k: Counter(_key(d) for d in docs) for k, docs in parts.items()}
    shared: Counter[tuple[str, ...]] = Counter()
    for a in PARTITIONS:
        for doc in counts[a]:
            if doc and sum(doc in counts[b] for b in PARTITIONS) > 1:
                shared[doc] = sum(counts[b][doc] for b in PARTITIONS)
    leaks = []
    for doc, n in shared.items():
        in_text = _count_upto(stream, _as_stream(doc), n)
        if n > in_text:
            leaks.append((doc, n, in_text))
    if leaks:
        doc, n, in_text = leaks[0]
        where = ", ".join(f"{k} ×{counts[k][doc]}" for k in PARTITIONS if counts[k][doc])
        raise AssertionError(
            "splits: se esperaba que ningún documento esté en dos particiones (salvo que el "
            f"texto lo repita) y se encontraron {len(leaks)} repetidos entre particiones. Por "
            f"ejemplo {_excerpt(doc)}: aparece en {where}, y en el texto {in_text} "
            f"{'vez' if in_text == 1 else 'veces'}. Partí los grupos una sola vez "
            "(helpers.lm.split_groups) antes de hacer nada más.")

    if check_sources:
        for k, docs in parts.items():
            step = max(1, len(docs) // sample)
            missing = [d for d in docs[::step] if _key(d) and _as_stream(_key(d)) not in stream]
            if missing:
                raise AssertionError(
                    f"splits['{k}']: se esperaba que cada documento salga de `texto` "
                    "(tokenizado con helpers.text.tokenize) y hay documentos que no están en "
                    f"el texto, p. ej. {_excerpt(missing[0])} ({len(missing)} de los "
                    f"{len(docs[::step])} revisados).")
    if max_martin_fierro is not None:
        share = martin_fierro_share(d for docs in parts.values() for d in docs)
        if share >= max_martin_fierro:
            raise AssertionError(
                "splits: se esperaba entrenar con un corpus distinto del Martín Fierro, pero "
                f"los documentos contienen {share:.0%} de sus versos de control (el límite es "
                f"{max_martin_fierro:.0%}).")


# ---------------------------------------------------------------------------
# 3. El reporte de perplejidades
# ---------------------------------------------------------------------------

def _report_values(report: Any) -> dict[str, dict[str, float]]:
    check_type(report, Mapping, "reporte")
    missing = [m for m in REPORT_MODELS if m not in report]
    if missing:
        raise AssertionError(
            f"reporte: se esperaban las filas {list(REPORT_MODELS)} y faltan {missing}.")
    values: dict[str, dict[str, float]] = {}
    for m in REPORT_MODELS:
        row = report[m]
        if not isinstance(row, Mapping) or not all(p in row for p in ("val", "test")):
            raise AssertionError(
                f"reporte['{m}']: se esperaba un diccionario con 'val' y 'test' y se obtuvo "
                f"{row!r:.80}.")
        values[m] = {}
        for p in ("val", "test"):
            v = _number(row[p], f"reporte['{m}']['{p}']")
            if v < 1.0:
                raise AssertionError(
                    f"reporte['{m}']['{p}']: una perplejidad es al menos 1 y se obtuvo {_fmt(v)}.")
            values[m][p] = v
    return values


def _check_vocab(vocab: Any, parts: Mapping[str, list[Sequence[str]]], min_count: int) -> None:
    from helpers.lm import Vocab

    expected = Vocab.fit(parts["train"], min_count=min_count).itos
    if list(vocab.itos) == expected:
        return
    everything = [d for k in PARTITIONS for d in parts[k]]
    if list(vocab.itos) == Vocab.fit(everything, min_count=min_count).itos:
        hint = "Es el vocabulario de TODAS las particiones: se filtró validación y prueba."
    else:
        hint = "¿Lo ajustaste con otros documentos o antes de partir?"
    raise AssertionError(
        f"lm.vocab: se esperaba el vocabulario ajustado solo con splits['train'] "
        f"(min_count={min_count}), de {len(expected)} tokens, y el del modelo tiene "
        f"{len(vocab.itos)}. {hint}")


def _check_same_splits(lm: Any, parts: Mapping[str, list[Sequence[str]]]) -> None:
    trained = getattr(lm, "splits", None)
    if trained is None:
        return
    for k in PARTITIONS:
        try:
            theirs = [list(d) for d in (trained[k] if isinstance(trained, Mapping)
                                        else getattr(trained, k))]
        except (AttributeError, KeyError, TypeError):
            return
        if theirs != [list(d) for d in parts[k]]:
            raise AssertionError(
                f"lm.splits['{k}']: se esperaba que el modelo se haya entrenado con `splits`, "
                f"pero su partición '{k}' tiene {len(theirs)} documentos y la de `splits`, "
                f"{len(parts[k])} (o son otros). Entrená con load_or_train(..., splits=splits).")


def _model_perplexity(model: Any, vocab: Any, config: Any, docs: Sequence[Sequence[str]]) -> float:
    from helpers.lm import evaluate_perplexity, make_dataset

    return evaluate_perplexity(model, make_dataset(docs, vocab, int(config.context_len)))


def _unigram_perplexity(parts: Mapping[str, Any], split: str, vocab: Any) -> float:
    from helpers import ngram

    try:
        return ngram.unigram_perplexity(parts["train"], parts[split], vocab)
    except ValueError:  # un objetivo (p. ej. <unk>) nunca aparece en el entrenamiento
        return math.inf


def check_report(report: Any, lm: Any, splits: Any, *, partitions: Sequence[str] = ("val",),
                 rtol: float = 1e-2) -> None:
    """``reporte["modelo"]``: recalculado con el modelo y los datos, y mejor que el unigrama.

    * ``lm.vocab`` es el que sale **solo** de ``splits['train']`` (con el
      ``min_count`` de ``lm.config``) y ``lm`` se entrenó con esas particiones;
    * para cada partición de ``partitions``, la perplejidad informada coincide
      (error relativo ``<= rtol``) con la que el corrector calcula con
      ``lm.model`` sobre esa partición (mismas ventanas de ``context_len``);
    * esa perplejidad es menor que la del unigrama (recalculada).
    """
    model, vocab, config = _lm_parts(lm)
    parts = _partitions(splits)
    values = _report_values(report)
    _check_vocab(vocab, parts, int(config.min_count))
    _check_same_splits(lm, parts)
    computed: dict[str, float] = {}

    def ppl(split: str) -> float:
        if split not in computed:
            computed[split] = _model_perplexity(model, vocab, config, parts[split])
        return computed[split]

    for p in partitions:
        found, expected = values["modelo"][p], ppl(p)
        if _rel_diff(found, expected) > rtol:
            others = [q for q in PARTITIONS if q != p and _rel_diff(found, ppl(q)) <= rtol]
            hint = (f" Coincide con la perplejidad en '{others[0]}': ¿la calculaste con otra "
                    "partición?" if others else
                    " ¿La escribiste a mano o la calculaste con otro modelo u otros datos?")
            raise AssertionError(
                f"reporte['modelo']['{p}']: se esperaba la perplejidad que da tu modelo en "
                f"splits['{p}'], {_fmt(expected)} (recalculada al corregir), y se obtuvo "
                f"{_fmt(found)} (error relativo {_rel_diff(found, expected):.2g}, tolerancia "
                f"{rtol:g}).{hint}")
        unigram = _unigram_perplexity(parts, p, vocab)
        if not expected < unigram:
            raise AssertionError(
                f"reporte['modelo']['{p}']: se esperaba que el modelo le gane al unigrama y su "
                f"perplejidad es {_fmt(expected)} contra {_fmt(unigram)} del unigrama. Entrená "
                "más (épocas, datos) o revisá la configuración.")


def check_baselines(report: Any, lm: Any, splits: Any, *, partitions: Sequence[str] = ("val",),
                    rtol: float = 1e-6) -> None:
    """Las filas de baselines de ``reporte``, con el vocabulario y los objetivos del modelo.

    * ``uniforme`` = ``V`` (tokens del vocabulario, especiales incluidos);
    * ``unigrama`` = la perplejidad del unigrama ajustado con
      ``splits['train']``, recalculada (error relativo ``<= rtol``);
    * ``kn_bigrama`` y ``kn_trigrama``: números entre 1 y ``V``.
    """
    _, vocab, _ = _lm_parts(lm)
    parts = _partitions(splits)
    V = len(vocab.itos)
    values = _report_values(report)
    for p in partitions:
        if _rel_diff(values["uniforme"][p], V) > rtol:
            raise AssertionError(
                f"reporte['uniforme']['{p}']: la perplejidad del modelo uniforme es el tamaño "
                f"del vocabulario, {V}, y se obtuvo {_fmt(values['uniforme'][p])}.")
        expected = _unigram_perplexity(parts, p, vocab)
        if math.isinf(expected):
            raise AssertionError(
                f"reporte['unigrama']['{p}']: el unigrama le da probabilidad 0 a un objetivo de "
                f"splits['{p}'] que nunca aparece en el entrenamiento (perplejidad infinita): "
                "se esperaba un vocabulario con min_count >= 2, para que las palabras raras "
                f"sean <unk>, y el modelo usa min_count = {lm.config.min_count}.")
        if _rel_diff(values["unigrama"][p], expected) > rtol:
            raise AssertionError(
                f"reporte['unigrama']['{p}']: se esperaba la perplejidad del unigrama ajustado "
                f"con splits['train'] y evaluado en splits['{p}'] con el vocabulario del modelo, "
                f"{_fmt(expected)}, y se obtuvo {_fmt(values['unigrama'][p])}.")
        for m in ("kn_bigrama", "kn_trigrama"):
            v = values[m][p]
            if not 1.0 < v <= V:
                raise AssertionError(
                    f"reporte['{m}']['{p}']: se esperaba una perplejidad entre 1 y V = {V} y se "
                    f"obtuvo {_fmt(v)}.")


# ---------------------------------------------------------------------------
# 4. La tabla de estrategias
# ---------------------------------------------------------------------------

_RANGES: dict[str, tuple[float, float]] = {
    "perplejidad": (1.0, math.inf),
    "distinct_1": (0.0, 1.0),
    "distinct_2": (0.0, 1.0),
    "repeticion": (0.0, 1.0),
    "largo": (0.0, math.inf),
    "terminan": (0.0, 1.0),
}


def _label(i: int, row: Mapping[str, Any]) -> str:
    params = row.get("parametros", {})
    extra = (", ".join(f"{k}={v:g}" if _is_number(v) else f"{k}={v!r}" for k, v in params.items())
             if isinstance(params, Mapping) else "")
    return f"tabla[{i}] ({row.get('estrategia')}{', ' + extra if extra else ''})"


def _check_params(label: str, strategy: str, params: Any) -> dict[str, float]:
    if not isinstance(params, Mapping):
        raise AssertionError(f"{label}: 'parametros' tiene que ser un diccionario y es "
                             f"{type(params).__name__}.")
    missing = [k for k in PARAMS[strategy] if k not in params]
    if missing:
        raise AssertionError(
            f"{label}: se esperaban los parámetros {list(PARAMS[strategy])} para "
            f"'{strategy}' y faltan {missing}.")
    out = {k: _number(v, f"{label}, parámetro '{k}'") for k, v in params.items() if _is_number(v)}
    checks = {
        "ancho": (lambda v: v == int(v) and v >= 2, "un entero >= 2 (ancho 1 es greedy)"),
        "alpha": (lambda v: v >= 0, "un número >= 0"),
        "T": (lambda v: v > 0, "un número > 0"),
        "k": (lambda v: v == int(v) and v >= 2, "un entero >= 2 (k = 1 es greedy)"),
        "p": (lambda v: 0 < v < 1, "un número entre 0 y 1 (sin incluirlos)"),
    }
    for k in PARAMS[strategy]:
        if k not in out:
            raise AssertionError(f"{label}: el parámetro '{k}' tiene que ser un número y es "
                                 f"{params[k]!r}.")
    for k, v in out.items():
        if k in checks and not checks[k][0](v):
            raise AssertionError(
                f"{label}: se esperaba que '{k}' sea {checks[k][1]} y es {_fmt(v)}.")
    return out


def _rows(table: Any, min_prompts: int) -> list[dict[str, Any]]:
    """Valida la estructura y los rangos de cada fila; devuelve filas normalizadas."""
    if not isinstance(table, (list, tuple)):
        raise AssertionError(
            f"tabla: se esperaba una lista de filas (diccionarios) y se obtuvo "
            f"{type(table).__name__}.")
    if not table:
        raise AssertionError("tabla: se esperaba al menos una fila y está vacía.")
    rows = []
    for i, row in enumerate(table):
        if not isinstance(row, Mapping):
            raise AssertionError(f"tabla[{i}]: se esperaba un diccionario y se obtuvo "
                                 f"{type(row).__name__}.")
        missing = [k for k in ("estrategia", "parametros", "semillas", "generados", *METRICS)
                   if k not in row]
        if missing:
            raise AssertionError(f"{_label(i, row)}: faltan las claves {missing} "
                                 "(helpers.challenge.table_row las arma todas).")
        strategy = row["estrategia"]
        if strategy not in STRATEGIES:
            raise AssertionError(
                f"tabla[{i}]: 'estrategia' tiene que ser una de {list(STRATEGIES)} y es "
                f"{strategy!r}.")
        label = _label(i, row)
        params = _check_params(label, strategy, row["parametros"])
        prompts, generated = row["semillas"], row["generados"]
        for key, texts in (("semillas", prompts), ("generados", generated)):
            if not isinstance(texts, (list, tuple)) or not all(
                    isinstance(t, (list, tuple)) and all(isinstance(w, str) for w in t)
                    for t in texts):
                raise AssertionError(f"{label}: '{key}' tiene que ser una lista de listas de "
                                     "tokens (str).")
        if len(prompts) != len(generated):
            raise AssertionError(
                f"{label}: se esperaba un texto generado por semilla y hay {len(prompts)} "
                f"semillas y {len(generated)} textos.")
        if len(prompts) < min_prompts:
            raise AssertionError(
                f"{label}: se esperaban al menos {min_prompts} semillas y hay {len(prompts)}.")
        if any(len(p) == 0 for p in prompts):
            raise AssertionError(f"{label}: hay una semilla vacía (tiene que empezar con '<s>').")
        metrics = {}
        for m in METRICS:
            v = row[m]
            if not _is_number(v):
                raise AssertionError(f"{label}: '{m}' tiene que ser un número y es {v!r}.")
            lo, hi = _RANGES[m]
            v = float(v)
            if not lo <= v <= hi or (hi == math.inf and not math.isfinite(v)):
                rango = f"al menos {lo:g}" if hi == math.inf else f"entre {lo:g} y {hi:g}"
                raise AssertionError(f"{label}: se esperaba '{m}' {rango} (y finito) y es "
                                     f"{_fmt(v)}.")
            metrics[m] = v
        rows.append({"i": i, "label": label, "estrategia": strategy, "parametros": params,
                     "semillas": [list(p) for p in prompts],
                     "generados": [list(g) for g in generated], **metrics})
    return rows


def _check_coverage(rows: list[dict[str, Any]]) -> None:
    by = {s: [r for r in rows if r["estrategia"] == s] for s in STRATEGIES}
    for s in ("greedy", "top-k", "top-p"):
        if not by[s]:
            raise AssertionError(f"tabla: se esperaba al menos una fila '{s}' y no hay ninguna.")
    widths: dict[int, set[bool]] = {}
    for r in by["beam"]:
        widths.setdefault(int(r["parametros"]["ancho"]), set()).add(r["parametros"]["alpha"] > 0)
    complete = sorted(w for w, a in widths.items() if a == {False, True})
    if len(complete) < 2:
        found = {w: sorted("alpha > 0" if a else "alpha = 0" for a in s) for w, s in widths.items()}
        raise AssertionError(
            "tabla: se esperaba beam search con al menos dos anchos distintos, cada uno sin "
            "normalizar por largo (alpha = 0) y normalizado (alpha > 0); se encontró "
            f"{found or 'ninguna fila beam'}.")
    temps = sorted({r["parametros"]["T"] for r in by["temperatura"]})
    if len(temps) < 3 or not (temps[0] < 1 < temps[-1]):
        raise AssertionError(
            "tabla: se esperaban al menos tres temperaturas distintas, alguna menor que 1 y "
            f"alguna mayor que 1, y se encontraron {temps}.")


def check_table(table: Any, *, min_prompts: int = MIN_PROMPTS, recompute: bool = False,
                atol: float = 1e-9) -> None:
    """``tabla`` del desafío: estructura, rangos, estrategias y (``recompute``) métricas.

    Cada fila es un diccionario con ``estrategia`` (:data:`STRATEGIES`),
    ``parametros`` (:data:`PARAMS`), ``semillas`` y ``generados`` (listas de
    listas de tokens, una por semilla, al menos ``min_prompts``) y las
    :data:`METRICS`. Tiene que haber greedy; beam con dos anchos, cada uno con
    ``alpha = 0`` y ``alpha > 0``; tres temperaturas (alguna < 1 y alguna > 1);
    top-k y top-p. Con ``recompute`` las métricas de texto se recalculan desde
    ``generados`` (:func:`text_metrics`) y tienen que coincidir.
    """
    rows = _rows(table, min_prompts)
    _check_coverage(rows)
    if recompute:
        for r in rows:
            for m, expected in text_metrics(r["generados"]).items():
                if abs(r[m] - expected) > atol:
                    raise AssertionError(
                        f"{r['label']}: se esperaba '{m}' = {_fmt(expected)} (recalculado desde "
                        f"'generados' con helpers.challenge.text_metrics) y se obtuvo "
                        f"{_fmt(r[m])}.")


def _encode(vocab: Any, tokens: Sequence[str], where: str) -> list[int]:
    ids = []
    for t in tokens:
        if t not in vocab.stoi:
            raise AssertionError(f"{where}: el token {t!r} no está en el vocabulario del modelo "
                                 "(¿otro modelo u otro vocabulario?).")
        ids.append(int(vocab.stoi[t]))
    return ids


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _scan_row(model: Any, prefixes: list[list[int]], targets: list[int],
              inspect: Callable[[np.ndarray, np.ndarray, int], None] | None,
              batch_size: int = 256) -> np.ndarray:
    """``log P(objetivo | prefijo)`` de cada par con el modelo completo (prefijo
    entero, rellenado a la izquierda); ``inspect(logp, objetivos, inicio)`` ve
    las log-probabilidades completas de cada lote."""
    width = max(len(p) for p in prefixes)
    out = np.empty(len(prefixes), dtype=np.float64)
    for start in range(0, len(prefixes), batch_size):
        chunk = prefixes[start:start + batch_size]
        X = np.zeros((len(chunk), width), dtype=np.int32)
        for j, p in enumerate(chunk):
            X[j, width - len(p):] = p
        logp = _log_softmax(np.asarray(model(X, training=False), dtype=np.float64))
        y = np.asarray(targets[start:start + len(chunk)])
        out[start:start + len(chunk)] = logp[np.arange(len(chunk)), y]
        if inspect is not None:
            inspect(logp, y, start)
    return out


def check_table_model(table: Any, lm: Any, *, rtol: float = 1e-2,
                      check_strategies: bool = False, min_prompts: int = 1) -> None:
    """Las filas de ``tabla`` contra el modelo ``lm``.

    * la ``perplejidad`` de cada fila coincide (error relativo ``<= rtol``) con
      la que el modelo le da a ``generados`` condicionado en cada semilla y en lo
      ya generado (como :class:`helpers.decoding.Decoder` y :func:`table_row`);
    * ``check_strategies``: en cada paso, el token de una fila greedy es el más
      probable, el de una fila top-k está entre los ``k`` más probables y el de
      una fila top-p está en el núcleo de masa ``p`` (con la temperatura ``T`` de
      la fila, si la declara). Sin contar ``<pad>``, ``<unk>`` ni ``<s>``, que el
      estudiante puede haber prohibido o no: la comprobación acepta las dos cosas.
    """
    model, vocab, _ = _lm_parts(lm)
    rows = _rows(table, min_prompts)
    pad, unk, _eos, bos = _special_ids(vocab)
    V = len(vocab.itos)
    allowed = np.ones(V, dtype=bool)
    allowed[[pad, unk, bos]] = False
    for r in rows:
        label = r["label"]
        prefixes, targets, where = [], [], []
        for s, (prompt, gen) in enumerate(zip(r["semillas"], r["generados"])):
            p_ids = _encode(vocab, prompt, f"{label}, semilla {s}")
            g_ids = _encode(vocab, gen, f"{label}, texto generado {s}")
            for t in range(len(g_ids)):
                prefixes.append(p_ids + g_ids[:t])
                targets.append(g_ids[t])
                where.append((s, t))
        if not targets:
            raise AssertionError(f"{label}: no hay ningún token generado.")
        strategy, params = r["estrategia"], r["parametros"]
        problems: list[str] = []

        def inspect(logp: np.ndarray, y: np.ndarray, start: int) -> None:
            if problems:
                return
            rows_ = np.arange(len(y))
            lp_t = logp[rows_, y]
            masked = np.where(allowed[None, :], logp, -np.inf)
            if strategy == "greedy":
                bad = (y == pad) | (lp_t < masked.max(axis=1) - 1e-4)
                why = "no era la palabra más probable"
            elif strategy == "top-k":
                above = (masked > lp_t[:, None] + 1e-6).sum(axis=1)
                bad = (y == pad) | (above >= params["k"])
                why = f"no estaba entre las k = {int(params['k'])} más probables"
            elif strategy == "top-p":
                z = logp / params.get("T", 1.0)
                q = np.exp(z - z.max(axis=1, keepdims=True))
                q /= q.sum(axis=1, keepdims=True)
                q_t = q[rows_, y]
                before = np.where(allowed[None, :] & (q > q_t[:, None] * (1 + 1e-6)), q, 0).sum(1)
                bad = (y == pad) | (before >= params["p"] + 1e-6)
                why = f"quedaba fuera del núcleo de masa p = {params['p']:g}"
            else:
                bad = y == pad
                why = "es <pad>, que nunca se genera"
            if np.any(bad):
                j = int(np.argmax(bad))
                s, t = where[start + j]
                best = int(np.argmax(masked[j]))
                problems.append(
                    f"{label}: en la semilla {s}, paso {t}, se generó {vocab.itos[int(y[j])]!r} "
                    f"(log-prob {lp_t[j]:.3f}), que {why} según el modelo (la más probable era "
                    f"{vocab.itos[best]!r}, {masked[j, best]:.3f}). ¿Esta fila salió de esta "
                    "estrategia y de este modelo?")

        logp = _scan_row(model, prefixes, targets, inspect if check_strategies else None)
        n = len(targets)
        expected = math.exp(-float(logp.sum()) / n)
        if _rel_diff(r["perplejidad"], expected) > rtol:
            raise AssertionError(
                f"{label}: se esperaba la perplejidad que el modelo le da a lo generado "
                f"(condicionado en cada semilla y en lo ya generado, {n} tokens), "
                f"{_fmt(expected)}, y se obtuvo {_fmt(r['perplejidad'])} (error relativo "
                f"{_rel_diff(r['perplejidad'], expected):.2g}, tolerancia {rtol:g}). ¿La "
                "escribiste a mano, o la calculaste con otro modelo o sin la semilla?")
        if problems:
            raise AssertionError(problems[0])
