"""Tokenización y segmentación de texto para los corpus del curso.

Reglas de :func:`tokenize` (las mismas para castellano e inglés)
----------------------------------------------------------------

* **Minúsculas** (``str.lower``) y normalización Unicode NFC, para que «é»
  escrita como ``e`` + tilde combinada sea la misma letra que «é». Se
  conservan tildes, ``ñ`` y ``ü``: «pingo» y «pingó», «año» y «ano» son
  palabras distintas.
* **Una palabra es una secuencia de letras** (de cualquier alfabeto:
  categoría Unicode L, más las marcas combinantes M que las acompañen). Un
  apóstrofo (``'`` o ``’``) *entre dos letras* queda dentro de la palabra
  (inglés de *tiny shakespeare*: ``know't``, ``we'll``, ``ne'er``) y se
  normaliza a ``'``; un apóstrofo en el borde es una comilla y se descarta
  (``'em`` → ``em``; las comillas simples del Quijote desaparecen).
* **Un número es una secuencia de dígitos decimales** y es un token (``"1872"``);
  ``"1.872"`` da ``"1"`` y ``"872"``. En los corpus del curso casi no hay
  números: los de las estrofas del Martín Fierro se quitan antes, con
  :func:`split_stanzas` o :func:`martin_fierro_stanzas`.
* **La puntuación se descarta** (``, . ; : ¿ ? ¡ ! « » — - ( ) _`` …), y
  también los símbolos (``$ + ©`` …) y los espacios: el
  guion separa (``va-ca-yendo`` → ``va``, ``ca``, ``yendo``). Es la regla de
  la diapositiva de predicción de la próxima palabra (*'Yesterday, all my
  troubles…'* → ``['yesterday', 'all', 'my', 'troubles', …]``) y la que
  conviene con un corpus chico: en el Martín Fierro (~11 000 palabras) las
  comas y los puntos serían de los tokens más frecuentes y el modelo
  aprendería sobre todo a predecir puntuación. Con
  ``keep_punctuation=True`` cada signo de puntuación (categoría Unicode P)
  es un token aparte (``"¿"``, ``","``; ``"..."`` son tres ``"."``), útil
  para generar texto con puntuación; los símbolos se siguen descartando.

Segmentación
------------

* :func:`split_verses`: líneas no vacías, sin espacios en los bordes,
  descartando las que son solo un número (los números de estrofa).
* :func:`split_stanzas`: bloques separados por líneas en blanco o por una
  línea que es solo un número; cada bloque es una lista de versos.
* :func:`numbered_stanzas` / :func:`martin_fierro_stanzas`: solo las
  estrofas que empiezan con su número (descarta título, carta en prosa y
  títulos de los cantos del Martín Fierro).
* :func:`split_sentences`: oraciones de prosa (ver su documentación).
"""

from __future__ import annotations

import re
import unicodedata

import regex  # el módulo «regex» (dependencia de nltk): entiende \p{L}, \p{M}

__all__ = [
    "martin_fierro_stanzas",
    "numbered_stanzas",
    "split_sentences",
    "split_stanzas",
    "split_verses",
    "tokenize",
]

# Letras de cualquier alfabeto (más sus marcas combinantes); dígitos decimales.
_LETTERS = r"\p{L}[\p{L}\p{M}]*"
_WORD = rf"{_LETTERS}(?:['’]{_LETTERS})*"
_NUMBER = r"\p{Nd}+"
_TOKEN_RE = regex.compile(rf"{_WORD}|{_NUMBER}")
_TOKEN_PUNCT_RE = regex.compile(rf"{_WORD}|{_NUMBER}|\p{{P}}")
_NUMBER_LINE_RE = re.compile(r"\d+")


def tokenize(text: str, *, keep_punctuation: bool = False) -> list[str]:
    """Divide ``text`` en palabras en minúsculas (reglas en la documentación del módulo).

    >>> tokenize("¿Qué querés, Martín? ¡Ñandú!")
    ['qué', 'querés', 'martín', 'ñandú']
    >>> tokenize("We know't, we know't.")
    ['we', "know't", 'we', "know't"]
    >>> tokenize("¿Qué?", keep_punctuation=True)
    ['¿', 'qué', '?']
    """
    text = unicodedata.normalize("NFC", text).lower()
    pattern = _TOKEN_PUNCT_RE if keep_punctuation else _TOKEN_RE
    return [tok.replace("’", "'") for tok in pattern.findall(text)]


def _is_number_line(line: str) -> bool:
    return _NUMBER_LINE_RE.fullmatch(line.strip()) is not None


def split_verses(text: str) -> list[str]:
    """Líneas no vacías de ``text``, sin espacios en los bordes.

    Descarta las líneas que son solo un número (p. ej. los números de estrofa
    del Martín Fierro).

    >>> split_verses("1\\nAquí me pongo a cantar\\n  Al compás de la vigüela,\\n\\n")
    ['Aquí me pongo a cantar', 'Al compás de la vigüela,']
    """
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not _is_number_line(line):
            out.append(line)
    return out


def split_stanzas(text: str) -> list[list[str]]:
    """Estrofas de ``text``: bloques de versos separados por líneas en blanco
    o por una línea que es solo un número. Cada estrofa es una lista de
    versos (sin espacios en los bordes); no hay estrofas vacías.

    >>> split_stanzas("1\\nuno\\ndos\\n2\\ntres\\n\\n\\ncuatro")
    [['uno', 'dos'], ['tres'], ['cuatro']]
    """
    stanzas: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or _is_number_line(line):
            if current:
                stanzas.append(current)
            current = []
        else:
            current.append(line)
    if current:
        stanzas.append(current)
    return stanzas


def numbered_stanzas(text: str) -> list[tuple[int, list[str]]]:
    """Estrofas que empiezan con una línea que es solo su número.

    Devuelve pares ``(número, versos)`` en el orden del texto. Una estrofa
    numerada termina en la primera línea en blanco o en el número siguiente;
    los bloques sin número (títulos, prosa, títulos de cantos) se descartan,
    igual que un número sin versos debajo.

    >>> numbered_stanzas("Título\\n\\n1\\nuno\\ndos\\n\\nCanto II\\n\\n2\\ntres")
    [(1, ['uno', 'dos']), (2, ['tres'])]
    """
    out: list[tuple[int, list[str]]] = []
    current: tuple[int, list[str]] | None = None
    for line in text.splitlines():
        line = line.strip()
        if _is_number_line(line) or not line:
            if current is not None and current[1]:
                out.append(current)
            current = (int(line), []) if line else None
        elif current is not None:
            current[1].append(line)
    if current is not None and current[1]:
        out.append(current)
    return out


def martin_fierro_stanzas(text: str | None = None) -> list[list[str]]:
    """Las estrofas numeradas del poema *El Gaucho Martín Fierro*, en orden.

    ``text`` es el texto limpio del corpus; si es ``None`` se carga con
    ``helpers.data.load_corpus("martin_fierro")``. Quedan afuera el título, el
    pie de imprenta, la «Carta del Autor a don José Zoilo Miguens» y los
    títulos de los cantos: solo los versos de cada estrofa, sin su número.

    En la copia de Gutenberg (#14765) hay 395 estrofas numeradas; la mayoría
    son sextinas, pero no todas (hay cuartetas, octavillas, una décima y una
    sextina a la que le falta un verso). Las estrofas 362 y 363 aparecen en el
    archivo antes de la 359: se respeta el orden del archivo.
    """
    if text is None:
        from helpers.data import load_corpus

        text = load_corpus("martin_fierro")
    stanzas = [verses for _, verses in numbered_stanzas(text)]
    if not stanzas:
        raise ValueError(
            "No se encontraron estrofas numeradas: se esperaba el texto del Martín "
            "Fierro, con cada estrofa precedida por una línea que es solo su número."
        )
    return stanzas


# --------------------------------------------------------------------------
# Oraciones
# --------------------------------------------------------------------------

_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
# Cierre de oración: uno o más . ! ? … y, opcionalmente, comillas o paréntesis
# de cierre; tiene que venir seguido de espacio.
_END_RE = re.compile(r"[.!?…]+[»”\"'’)\]]*(?=\s)")
# Lo que puede ir antes de la primera letra de una oración: rayas de diálogo,
# comillas y paréntesis de apertura.
_OPENERS = "—–-«“\"'‘("


def _starts_sentence(rest: str) -> bool:
    rest = rest.lstrip(" \t\n" + _OPENERS)
    return bool(rest) and (rest[0] in "¿¡" or rest[0].isupper() or rest[0].isdigit())


def split_sentences(text: str) -> list[str]:
    """Oraciones de un texto en prosa (pensado para el Quijote).

    Regla (simple, a propósito):

    1. Una línea en blanco separa párrafos, y un párrafo siempre cierra la
       oración (los títulos sin punto quedan como oraciones propias). Dentro
       de un párrafo, los saltos de línea se vuelven espacios.
    2. Una oración termina en ``.``, ``!``, ``?`` o ``…`` (o una seguidilla,
       como ``?!`` o ``...``), más las comillas o paréntesis de cierre que
       sigan, **si después viene un espacio y luego una mayúscula, un dígito,
       ``¿`` o ``¡``** (se saltean espacios, rayas de diálogo y comillas o
       paréntesis de apertura).
    3. ``¿`` y ``¡`` no cortan por sí solos: abren la oración que sigue a un
       cierre. Así «—¿Qué dices? —respondió Sancho.» es *una* oración (tras
       el ``?`` sigue minúscula), como manda la ortografía del castellano.

    Limitación conocida: una abreviatura seguida de mayúscula («Sr. Don…»)
    corta la oración.

    >>> split_sentences("Hola, amigo. ¿Cómo estás? ¡Bien!\\nGracias...\\n\\nFin")
    ['Hola, amigo.', '¿Cómo estás?', '¡Bien!', 'Gracias...', 'Fin']
    """
    sentences: list[str] = []
    for paragraph in _PARAGRAPH_RE.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        paragraph = " ".join(paragraph.split())
        start = 0
        for match in _END_RE.finditer(paragraph):
            if _starts_sentence(paragraph[match.end():]):
                sentences.append(paragraph[start:match.end()].strip())
                start = match.end()
        sentences.append(paragraph[start:].strip())
    return [s for s in sentences if s]
