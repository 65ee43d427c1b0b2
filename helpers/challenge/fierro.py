"""Reconocer el *Martín Fierro* por su **contenido** (versos de control), no por el nombre."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources

__all__ = ["MARTIN_FIERRO_MAX", "MARTIN_FIERRO_VERSES", "martin_fierro_share"]

#: Fracción de versos de control del *Martín Fierro* a partir de la cual un
#: texto se considera el poema (o lo contiene en buena parte).
MARTIN_FIERRO_MAX = 0.10


def _read_verses() -> tuple[str, ...]:
    text = resources.files("helpers.challenge").joinpath("martin_fierro_verses.txt")
    return tuple(line for line in text.read_text(encoding="utf-8").splitlines() if line)


#: Versos de control de *El Gaucho Martín Fierro* (Gutenberg #14765): de los
#: versos de seis palabras o más que aparecen una sola vez en el poema, 100
#: repartidos a lo largo del texto (el ``i``-ésimo es el candidato
#: ``i * n // 100``). Ninguno aparece en *Don Quijote* ni en *tiny
#: shakespeare* (lo comprueba ``tests/test_challenge.py``, que además rehace la
#: selección desde el corpus). Vienen con el paquete
#: (``martin_fierro_verses.txt``, uno por línea), y no se leen del corpus al
#: corregir, para que la comprobación no dependa de la red ni de la caché.
MARTIN_FIERRO_VERSES: tuple[str, ...] = _read_verses()

_PUNCT_RE = re.compile(r"^[^\w]+$")


def _is_punct(token: str) -> bool:
    return bool(_PUNCT_RE.match(token))


def _strip_accents(token: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", token) if not unicodedata.combining(c))


def _as_stream(tokens: Iterable[str]) -> str:
    return " " + " ".join(tokens) + " "


@lru_cache(maxsize=1)
def _mf_keys() -> tuple[str, ...]:
    from helpers.text import tokenize

    return tuple(" " + " ".join(_strip_accents(t) for t in tokenize(v)) + " "
                 for v in MARTIN_FIERRO_VERSES)


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
