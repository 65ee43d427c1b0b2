"""Corpus del curso: catálogo, descarga con caché y limpieza.

Uso típico en una lección::

    from helpers.data import load_corpus
    texto = load_corpus("martin_fierro")   # str limpio, listo para tokenizar

De dónde sale cada archivo (en este orden):

1. **Espejo local** ``COURSE_DATA_MIRROR=<carpeta>``: si la variable está
   definida, el archivo canónico (p. ej. ``pg14765.txt``) se lee *directamente*
   de esa carpeta, sin copiarlo a la caché y sin tocar la red. El espejo manda:
   si el archivo no está o no es válido, se lanza :class:`CorpusError` (no se
   intenta descargar). Lo usan las pruebas y la integración continua
   (``make test`` apunta a ``../shared/corpora`` si existe).
2. **Caché por usuario**: ``COURSE_DATA_DIR`` si está definida; si no, la
   carpeta de caché de la plataforma, según ``platformdirs``
   (``~/.cache/rnn-nlp-curso`` en Linux y Colab, ``~/Library/Caches/rnn-nlp-curso``
   en macOS, ``%LOCALAPPDATA%\\rnn-nlp-curso\\Cache`` en Windows).
   Un archivo en caché se vuelve a validar en cada lectura; si está dañado se
   borra y se descarga de nuevo.
3. **Descarga** desde la URL canónica del catálogo (o desde
   ``COURSE_DATA_BASE_URL/<archivo canónico>``, si esa variable está definida:
   sirve para un espejo HTTP propio y para las pruebas). La descarga se escribe
   en un archivo temporal dentro de la carpeta de caché y solo se mueve a su
   nombre final (``os.replace``, atómico) después de validarla: una descarga
   cortada o inválida nunca queda en la caché.

Validación de un archivo descargado: que no sea HTML, que sea UTF-8 válido, que
no sea mucho más corto de lo esperado y, si es de Project Gutenberg, que tenga
el marcador ``*** START OF``.

Limpieza (:func:`clean_text`): sin BOM, fin de línea ``\\n``, sin el
encabezado de Gutenberg (hasta la línea ``*** START OF ...`` inclusive) ni la
licencia final (desde ``*** END OF ...``, que puede faltar), sin líneas en
blanco al principio ni al final.
"""

from __future__ import annotations

import difflib
import http.client
import io
import os
import re
import tempfile
import urllib.error
import urllib.request
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO

import platformdirs
from tqdm.auto import tqdm

__all__ = [
    "CATALOG",
    "CorpusError",
    "CorpusInfo",
    "available_corpora",
    "cache_dir",
    "clean_text",
    "corpus_path",
    "load_corpus",
    "load_text_file",
]

APP_NAME = "rnn-nlp-curso"
DATA_DIR_ENV = "COURSE_DATA_DIR"
MIRROR_ENV = "COURSE_DATA_MIRROR"
BASE_URL_ENV = "COURSE_DATA_BASE_URL"

#: Segundos de espera de la red antes de rendirse (conexión y cada lectura).
TIMEOUT_S = 60.0
_CHUNK = 64 * 1024
_USER_AGENT = f"{APP_NAME}/0.1 (material de curso; python-urllib)"


class CorpusError(RuntimeError):
    """Un corpus o un archivo de texto no se pudo obtener o no es válido.

    El mensaje (en castellano) dice qué pasó y qué hacer.
    """


@dataclass(frozen=True)
class CorpusInfo:
    """Una entrada del catálogo de corpus."""

    name: str
    """Nombre corto que se le pasa a :func:`load_corpus`."""
    url: str
    """URL canónica del archivo crudo."""
    filename: str
    """Nombre canónico del archivo (el mismo en la caché y en el espejo)."""
    language: str
    """Código ISO 639-1 del idioma (``"es"``, ``"en"``)."""
    gutenberg: bool
    """``True`` si es un texto de Project Gutenberg (con encabezado y marcadores)."""
    min_bytes: int
    """Tamaño mínimo plausible del archivo crudo; menos que esto es un error."""
    description: str
    """Descripción breve en castellano."""


CATALOG: Mapping[str, CorpusInfo] = MappingProxyType(
    {
        "martin_fierro": CorpusInfo(
            name="martin_fierro",
            url="https://www.gutenberg.org/cache/epub/14765/pg14765.txt",
            filename="pg14765.txt",
            language="es",
            gutenberg=True,
            min_bytes=50_000,  # el archivo tiene ~71 KB
            description=(
                "José Hernández, «El Gaucho Martín Fierro» (1872): poema gauchesco "
                "en 395 estrofas numeradas, precedido por una carta del autor. "
                "Project Gutenberg #14765."
            ),
        ),
        "don_quijote": CorpusInfo(
            name="don_quijote",
            url="https://www.gutenberg.org/cache/epub/2000/pg2000.txt",
            filename="pg2000.txt",
            language="es",
            gutenberg=True,
            min_bytes=1_500_000,  # ~2,2 MB
            description=(
                "Miguel de Cervantes, «Don Quijote de la Mancha» (las dos partes), "
                "prosa en castellano. Project Gutenberg #2000."
            ),
        ),
        "tiny_shakespeare": CorpusInfo(
            name="tiny_shakespeare",
            url=(
                "https://raw.githubusercontent.com/karpathy/char-rnn/master/"
                "data/tinyshakespeare/input.txt"
            ),
            filename="tinyshakespeare.txt",
            language="en",
            gutenberg=False,
            min_bytes=1_000_000,  # ~1,1 MB
            description=(
                "Fragmentos de obras de Shakespeare en inglés (el «tiny shakespeare» "
                "de char-rnn de Karpathy): diálogos con el nombre de quien habla."
            ),
        ),
    }
)


def available_corpora() -> list[str]:
    """Nombres válidos para :func:`load_corpus`, en orden alfabético."""
    return sorted(CATALOG)


def cache_dir() -> Path:
    """Carpeta de caché de los corpus (``COURSE_DATA_DIR`` o la de la plataforma).

    No la crea: se crea recién al descargar.
    """
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return platformdirs.user_cache_path(APP_NAME, appauthor=False)


def _mirror_dir() -> Path | None:
    env = os.environ.get(MIRROR_ENV, "").strip()
    return Path(env).expanduser() if env else None


def _info(name: str) -> CorpusInfo:
    try:
        return CATALOG[name]
    except (KeyError, TypeError):
        pass
    valid = ", ".join(available_corpora())
    close = difflib.get_close_matches(str(name).lower(), available_corpora(), n=1)
    hint = f" ¿Quisiste decir {close[0]!r}?" if close else ""
    raise CorpusError(f"No hay un corpus llamado {name!r}. Los válidos son: {valid}.{hint}")


def _download_url(info: CorpusInfo) -> str:
    base = os.environ.get(BASE_URL_ENV, "").strip()
    return f"{base.rstrip('/')}/{info.filename}" if base else info.url


# --------------------------------------------------------------------------
# Limpieza
# --------------------------------------------------------------------------

_START_RE = re.compile(r"^[ \t]*\*{3}[ \t]*START OF\b.*$", re.MULTILINE | re.IGNORECASE)
_END_RE = re.compile(r"^[ \t]*\*{3}[ \t]*END OF\b", re.MULTILINE | re.IGNORECASE)


def clean_text(raw: str) -> str:
    """Limpia un texto crudo: BOM, fines de línea y encabezado/licencia de Gutenberg.

    * quita el BOM inicial (``\\ufeff``);
    * convierte ``\\r\\n`` y ``\\r`` en ``\\n``;
    * si hay una línea ``*** START OF ...``, descarta todo hasta ella inclusive;
    * si hay una línea ``*** END OF ...``, descarta desde ella hasta el final
      (en algunas copias falta: entonces no se corta nada);
    * quita las líneas en blanco (o solo con espacios) del principio y del final.

    Un texto sin marcadores (p. ej. *tiny shakespeare*) solo pierde el BOM, los
    ``\\r`` y los bordes en blanco.
    """
    text = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    start = _START_RE.search(text)
    if start:
        text = text[start.end():]
    end = _END_RE.search(text)
    if end:
        text = text[: end.start()]
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Validación
# --------------------------------------------------------------------------

def _looks_like_html(raw: bytes) -> bool:
    head = raw[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return b"<!doctype" in head or b"<html" in head


def _decode_utf8(raw: bytes, what: str, advice: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"{what} no es texto UTF-8 válido: el byte {raw[exc.start]:#04x} en la "
            f"posición {exc.start} no se puede decodificar. {advice}"
        ) from exc


def _validate_corpus(raw: bytes, info: CorpusInfo, source: str) -> str:
    """Valida el archivo crudo de un corpus y devuelve el texto decodificado."""
    what = f"{info.filename} ({source})"
    if _looks_like_html(raw):
        raise CorpusError(
            f"{what} es una página HTML, no el texto plano esperado "
            "(¿una página de error o de «acceso denegado»?)."
        )
    text = _decode_utf8(raw, what, "El archivo está dañado o no es el correcto.")
    if len(raw) < info.min_bytes:
        raise CorpusError(
            f"{what} es demasiado corto: tiene {len(raw)} bytes y se esperaban al "
            f"menos {info.min_bytes}. ¿Descarga incompleta o archivo equivocado?"
        )
    if info.gutenberg and not _START_RE.search(text):
        raise CorpusError(
            f"{what} no tiene el marcador «*** START OF» de Project Gutenberg: "
            "no parece el texto de Gutenberg esperado."
        )
    return text


# --------------------------------------------------------------------------
# Descarga
# --------------------------------------------------------------------------

def _fetch_bytes(url: str, out: BinaryIO, desc: str) -> int:
    """Descarga ``url`` escribiendo en el archivo binario ``out``; devuelve los bytes.

    Lanza ``urllib.error.HTTPError`` si el servidor responde con un error,
    ``OSError`` (``URLError``, ``TimeoutError``…) o ``http.client.HTTPException``
    ante problemas de red, y :class:`CorpusError` si la respuesta llega
    incompleta (menos bytes que los anunciados en ``Content-Length``).
    """
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        received = 0
        with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                  desc=desc, leave=False) as bar:
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    # ``HTTPResponse.read(n)`` devuelve b"" si el servidor corta la conexión
    # antes de tiempo (no lanza): hay que comparar con lo anunciado.
    if total is not None and received < total:
        raise CorpusError(
            f"La descarga de {url} se cortó: se recibieron {received} de {total} bytes."
        )
    return received


def _manual_hint(info: CorpusInfo) -> str:
    return (
        f"Para trabajar sin conexión, descargá {info.url} en otra máquina y "
        f"guardalo con el nombre exacto «{info.filename}» en la carpeta {cache_dir()} "
        f"(se cambia con la variable {DATA_DIR_ENV}), o definí {MIRROR_ENV}=<carpeta> "
        f"con una carpeta que contenga «{info.filename}»."
    )


def _network_error(exc: BaseException, url: str, what: str) -> str:
    """Describe en castellano un error de red de :func:`_fetch_bytes`."""
    if isinstance(exc, urllib.error.HTTPError):
        return (
            f"No se pudo descargar {what} de {url}: el servidor respondió "
            f"HTTP {exc.code} ({exc.reason})."
        )
    if isinstance(exc, CorpusError):
        return f"No se pudo descargar {what}: {exc}"
    if isinstance(exc, (http.client.IncompleteRead, ConnectionResetError)):
        return f"La descarga de {what} desde {url} se cortó antes de terminar ({exc!r})."
    reason = getattr(exc, "reason", exc)
    return (
        f"No se pudo descargar {what} de {url} (¿no hay conexión a internet?): {reason}."
    )


def _download(info: CorpusInfo, dest: Path) -> str:
    """Descarga, valida y mueve atómicamente a ``dest``; devuelve el texto.

    Escribe en un temporal ``.<archivo>.*.part`` de la misma carpeta y lo
    borra ante cualquier error (o interrupción): nunca queda nada a medias.
    """
    url = _download_url(info)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as out:
                _fetch_bytes(url, out, desc=info.filename)
                out.flush()
                os.fsync(out.fileno())
            text = _validate_corpus(tmp.read_bytes(), info, f"descargado de {url}")
        except (CorpusError, http.client.HTTPException, OSError) as exc:
            raise CorpusError(
                f"{_network_error(exc, url, f'«{info.filename}»')} {_manual_hint(info)}"
            ) from exc
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return text


def _load_raw(name: str) -> tuple[Path, str]:
    """Ruta del archivo crudo y su texto decodificado (espejo, caché o descarga)."""
    info = _info(name)
    mirror = _mirror_dir()
    if mirror is not None:
        path = mirror / info.filename
        if not path.is_file():
            missing = "" if mirror.is_dir() else " (la carpeta no existe)"
            raise CorpusError(
                f"{MIRROR_ENV}={mirror}{missing} no contiene «{info.filename}». Copiá ahí ese "
                f"archivo (descargado de {info.url}) o quitá la variable {MIRROR_ENV} "
                "para descargarlo."
            )
        return path, _validate_corpus(path.read_bytes(), info, f"espejo {mirror}")
    path = cache_dir() / info.filename
    if path.is_file():
        try:
            return path, _validate_corpus(path.read_bytes(), info, f"caché {path.parent}")
        except CorpusError as exc:
            # Dañado (p. ej. copiado a mano a medias): se borra y se vuelve a bajar.
            warnings.warn(f"{exc} Se borra de la caché y se descarga de nuevo.", stacklevel=3)
            path.unlink(missing_ok=True)
    return path, _download(info, path)


def corpus_path(name: str) -> Path:
    """Ruta del archivo crudo (con encabezados) del corpus ``name``.

    Lo descarga a la caché si hace falta (o lo toma del espejo
    ``COURSE_DATA_MIRROR``). Lanza :class:`CorpusError` si el nombre no existe,
    si no se puede descargar o si el archivo no es válido.
    """
    return _load_raw(name)[0]


def load_corpus(name: str) -> str:
    """Texto limpio del corpus ``name`` (ver :func:`available_corpora`).

    Sin encabezado ni licencia de Gutenberg, sin BOM, con fines de línea
    ``\\n`` y sin líneas en blanco en los bordes (ver :func:`clean_text`).

    >>> texto = load_corpus("martin_fierro")  # doctest: +SKIP
    """
    return clean_text(_load_raw(name)[1])


# --------------------------------------------------------------------------
# Textos propios del estudiante
# --------------------------------------------------------------------------

_UTF8_ADVICE = (
    "Volvé a guardarlo como UTF-8 (en el editor: «Guardar como…» → codificación "
    "UTF-8; en la terminal: `iconv -f latin1 -t utf-8 viejo.txt > nuevo.txt`)."
)


def load_text_file(path_or_url: str | os.PathLike[str], *, min_chars: int = 5_000) -> str:
    """Lee un texto propio (archivo local o URL ``http(s)://``) en UTF-8 y lo limpia.

    Pensado para el desafío: entrenar con otro corpus. Devuelve el texto con
    la misma limpieza que :func:`load_corpus` (si es un texto de Gutenberg con
    marcadores, también sin encabezado ni licencia). Las URL se leen sin caché.

    Lanza :class:`CorpusError` (con qué hacer) si el archivo no existe, está
    vacío, es binario (bytes nulos: un PDF, un .docx…), es una página HTML, no
    está en UTF-8 o tiene menos de ``min_chars`` caracteres una vez limpio.
    """
    source = os.fspath(path_or_url)
    if re.match(r"(?i)^https?://", source):
        what = f"El contenido de {source}"
        buffer = io.BytesIO()
        try:
            _fetch_bytes(source, buffer, desc=source.rsplit("/", 1)[-1] or source)
        except (CorpusError, http.client.HTTPException, OSError) as exc:
            raise CorpusError(
                f"{_network_error(exc, source, 'el texto')} Revisá la dirección, o "
                "descargalo a mano y pasá la ruta del archivo."
            ) from exc
        raw = buffer.getvalue()
    else:
        path = Path(source).expanduser()
        what = f"El archivo {path}"
        if not path.exists():
            raise CorpusError(f"{what} no existe. Revisá la ruta (carpeta actual: {Path.cwd()}).")
        if not path.is_file():
            raise CorpusError(f"{what} no es un archivo (¿es una carpeta?).")
        raw = path.read_bytes()

    if not raw.strip():
        raise CorpusError(f"{what} está vacío.")
    if b"\x00" in raw:
        raise CorpusError(
            f"{what} parece binario (tiene bytes nulos): ¿es un PDF, un .docx, un "
            "archivo comprimido o un texto en UTF-16? Exportalo como texto plano "
            "(.txt) en UTF-8."
        )
    if _looks_like_html(raw):
        raise CorpusError(
            f"{what} es una página HTML, no texto plano. Buscá el enlace al texto "
            "plano (en Project Gutenberg: «Plain Text UTF-8») o guardá la página "
            "como texto."
        )
    text = clean_text(_decode_utf8(raw, what, _UTF8_ADVICE))
    if not text:
        raise CorpusError(f"{what} está vacío (no tiene texto después de limpiarlo).")
    if len(text) < min_chars:
        raise CorpusError(
            f"{what} es demasiado corto: tiene {len(text)} caracteres de texto y se "
            f"necesitan al menos {min_chars} para entrenar un modelo de lenguaje."
        )
    return text
