"""Descarga, caché, espejo y validación de corpus (``helpers.data``).

Las descargas son reales: un servidor HTTP en 127.0.0.1 (puerto libre, en un
hilo) sirve un texto tipo Gutenberg válido y varias respuestas rotas. Nada de
esto toca internet ni la caché real del usuario: cada prueba usa su propia
carpeta temporal como caché y, por defecto, una URL base que apunta a un
puerto cerrado.
"""

from __future__ import annotations

import collections
import http.server
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import helpers.data as data
from helpers.data import (
    CATALOG,
    CorpusError,
    available_corpora,
    cache_dir,
    clean_text,
    corpus_path,
    load_corpus,
    load_text_file,
)
from helpers.text import martin_fierro_stanzas, numbered_stanzas, tokenize

# El espejo real de los corpus (si existe): se toma al importar, antes de que
# el fixture de abajo borre las variables de entorno.
REAL_MIRROR = Path(
    os.environ.get("COURSE_DATA_MIRROR")
    or Path(__file__).resolve().parents[2] / "shared" / "corpora"
)

MF = CATALOG["martin_fierro"]

# --------------------------------------------------------------------------
# Textos de prueba
# --------------------------------------------------------------------------

HEADER = (
    "The Project Gutenberg eBook of Prueba\n"
    "    \n"
    "Title: Prueba\n"
    "\n"
    "Language: Spanish\n"
    "\n"
    "*** START OF THE PROJECT GUTENBERG EBOOK PRUEBA ***\n"
)
BODY = "\n\n\nCanto primero\n\n" + "".join(
    f"{i}\nAquí me pongo a cantar, señor {i},\nal compás de la vigüela; ¡ñandú!\n\n"
    for i in range(1, 1200)
)
FOOTER = (
    "*** END OF THE PROJECT GUTENBERG EBOOK PRUEBA ***\n"
    "\n"
    "Section 1. General Terms of Use and Redistributing Project Gutenberg\n"
)
EXPECTED = BODY.strip("\n")  # el cuerpo, sin las líneas en blanco de los bordes


def crlf_bom(text: str, encoding: str = "utf-8") -> bytes:
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(encoding)


VALID = crlf_bom(HEADER + BODY + FOOTER)
assert len(VALID) > MF.min_bytes  # la prueba usa un texto de tamaño plausible

RESPONSES: dict[str, bytes] = {
    "ok": VALID,
    "html": (
        b"<!DOCTYPE html>\n<html><head><title>Project Gutenberg</title></head><body>"
        + b"<p>*** START OF nada</p>" * 5000 + b"</body></html>"
    ),
    "short": crlf_bom(HEADER + "\n1\nAquí me pongo a cantar\n\n" + FOOTER),
    "latin1": (HEADER + BODY + FOOTER).encode("latin-1"),
    "nostart": (BODY + FOOTER).encode("utf-8"),
    "binary": b"PK\x03\x04" + bytes(range(256)) * 300,
    "blank": b"  \r\n\r\n\t\n",
}


@dataclass
class Server:
    url: str
    hits: collections.Counter[str] = field(default_factory=collections.Counter)


class Handler(http.server.BaseHTTPRequestHandler):
    """``/<modo>/<archivo>``: ``ok``, ``html``, ``short``…; ``cut`` corta a la mitad."""

    server_state: Server

    def do_GET(self) -> None:  # noqa: N802 (nombre de http.server)
        self.server_state.hits[self.path] += 1
        mode = self.path.strip("/").split("/")[0]
        if mode == "cut":
            # Anuncia el archivo entero, manda la mitad y cierra la conexión.
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(VALID)))
            self.end_headers()
            self.wfile.write(VALID[: len(VALID) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if mode not in RESPONSES:
            self.send_error(404, "Not Found")
            return
        body = RESPONSES[mode]
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if mode == "html" else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # silencio
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    state = Server(url="")
    handler = type("BoundHandler", (Handler,), {"server_state": state})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nadie escucha ahí: conexión rechazada


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Caché temporal, sin espejo, sin proxies y sin internet (puerto cerrado)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA_DIR", str(cache))
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)
    monkeypatch.setenv("COURSE_DATA_BASE_URL", closed_port_url())
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    return cache


def use(server: Server, mode: str, monkeypatch: pytest.MonkeyPatch) -> str:
    base = f"{server.url}/{mode}"
    monkeypatch.setenv("COURSE_DATA_BASE_URL", base)
    return f"/{mode}/{MF.filename}"


def cache_entries(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


# --------------------------------------------------------------------------
# Catálogo
# --------------------------------------------------------------------------


def test_catalog_entries() -> None:
    assert available_corpora() == ["don_quijote", "martin_fierro", "tiny_shakespeare"]
    expected = {
        "martin_fierro": ("pg14765.txt", "https://www.gutenberg.org/cache/epub/14765/pg14765.txt",
                          "es", True),
        "don_quijote": ("pg2000.txt", "https://www.gutenberg.org/cache/epub/2000/pg2000.txt",
                        "es", True),
        "tiny_shakespeare": (
            "tinyshakespeare.txt",
            "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/"
            "input.txt",
            "en", False,
        ),
    }
    for name, (filename, url, lang, gutenberg) in expected.items():
        info = CATALOG[name]
        assert (info.name, info.filename, info.url, info.language, info.gutenberg) == (
            name, filename, url, lang, gutenberg)
        assert info.min_bytes > 10_000 and info.description
    with pytest.raises(TypeError):
        CATALOG["otro"] = CATALOG["martin_fierro"]  # type: ignore[index]


def test_cache_dir_env_and_default(monkeypatch: pytest.MonkeyPatch, isolated_env: Path) -> None:
    assert cache_dir() == isolated_env
    monkeypatch.delenv("COURSE_DATA_DIR")
    default = cache_dir()
    assert default.name == "rnn-nlp-curso" and default.is_absolute()


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(CorpusError) as err:
        load_corpus("martin fierro")
    msg = str(err.value)
    assert "'martin fierro'" in msg
    for name in available_corpora():
        assert name in msg
    assert "¿Quisiste decir 'martin_fierro'?" in msg
    with pytest.raises(CorpusError, match="Los válidos son"):
        corpus_path("quijote_apocrifo")


# --------------------------------------------------------------------------
# Limpieza
# --------------------------------------------------------------------------


def test_clean_text_gutenberg_bom_crlf() -> None:
    raw = VALID.decode("utf-8")
    assert raw.startswith("\ufeff") and "\r\n" in raw
    assert clean_text(raw) == EXPECTED


def test_clean_text_missing_footer_and_lone_cr() -> None:
    raw = "\ufeffencabezado\r*** START OF THE PROJECT GUTENBERG EBOOK X ***\r\r  \runo\rdos\r\r"
    assert clean_text(raw) == "uno\ndos"


def test_clean_text_without_markers_only_trims() -> None:
    assert clean_text("\n \nFirst Citizen:\n\nBefore we proceed.\n\n") == (
        "First Citizen:\n\nBefore we proceed."
    )
    assert clean_text("") == ""


def test_clean_text_marker_must_start_a_line() -> None:
    text = "Dijo: *** START OF nada\nsigue"
    assert clean_text(text) == text


# --------------------------------------------------------------------------
# Descarga real desde el servidor local
# --------------------------------------------------------------------------


def test_download_success_caches_clean_text(server: Server, isolated_env: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = use(server, "ok", monkeypatch)
    assert load_corpus("martin_fierro") == EXPECTED
    assert server.hits[path] == 1
    # Queda en la caché con el nombre canónico, tal como se descargó (crudo).
    assert cache_entries(isolated_env) == [MF.filename]
    assert (isolated_env / MF.filename).read_bytes() == VALID
    assert corpus_path("martin_fierro") == isolated_env / MF.filename
    # La segunda vez sale de la caché: ni una petición más, aunque no haya red.
    monkeypatch.setenv("COURSE_DATA_BASE_URL", closed_port_url())
    assert load_corpus("martin_fierro") == EXPECTED
    assert server.hits[path] == 1


def test_corrupt_cache_is_deleted_and_refetched(server: Server, isolated_env: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = use(server, "ok", monkeypatch)
    isolated_env.mkdir(parents=True)
    (isolated_env / MF.filename).write_bytes(VALID[: len(VALID) // 3])  # copia a medias
    before = server.hits[path]
    with pytest.warns(UserWarning, match="demasiado corto"):
        assert load_corpus("martin_fierro") == EXPECTED
    assert server.hits[path] == before + 1
    assert (isolated_env / MF.filename).read_bytes() == VALID


def test_corrupt_cache_and_failed_download_leave_nothing(
        server: Server, isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use(server, "html", monkeypatch)
    isolated_env.mkdir(parents=True)
    (isolated_env / MF.filename).write_bytes(b"<html>no</html>")
    with pytest.warns(UserWarning), pytest.raises(CorpusError, match="HTML"):
        load_corpus("martin_fierro")
    assert cache_entries(isolated_env) == []


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("missing", ["HTTP 404", "Not Found"]),
        ("cut", ["se cortó", f"se recibieron {len(VALID) // 2} de {len(VALID)} bytes"]),
        ("html", ["es una página HTML"]),
        ("short", ["demasiado corto", f"al menos {MF.min_bytes}"]),
        ("latin1", ["no es texto UTF-8 válido", "0xed"]),  # la «í» de «Aquí» en latin-1
        ("nostart", ["*** START OF"]),
    ],
    ids=["404", "cortada", "html", "corta", "latin1", "sin_start"],
)
def test_failed_download_raises_and_caches_nothing(
        mode: str, expected: list[str], server: Server, isolated_env: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = use(server, mode, monkeypatch)
    with pytest.raises(CorpusError) as err:
        load_corpus("martin_fierro")
    msg = str(err.value)
    for part in expected:
        assert part in msg, msg
    # Dice qué archivo poner y dónde.
    assert f"«{MF.filename}»" in msg and str(isolated_env) in msg
    assert server.hits[path] >= 1
    assert cache_entries(isolated_env) == []  # ni temporales ni archivo final
    # Y la próxima vez lo vuelve a intentar (nada inválido quedó guardado).
    before = server.hits[path]
    with pytest.raises(CorpusError):
        corpus_path("martin_fierro")
    assert server.hits[path] == before + 1


def test_no_network_names_file_and_folder(isolated_env: Path) -> None:
    # El fixture apunta COURSE_DATA_BASE_URL a un puerto cerrado.
    with pytest.raises(CorpusError) as err:
        load_corpus("don_quijote")
    msg = str(err.value)
    assert "¿no hay conexión a internet?" in msg
    assert "«pg2000.txt»" in msg
    assert str(isolated_env) in msg
    assert "COURSE_DATA_MIRROR" in msg and "COURSE_DATA_DIR" in msg
    assert CATALOG["don_quijote"].url in msg  # de dónde bajarlo a mano
    assert cache_entries(isolated_env) == []


def test_interrupted_download_leaves_nothing(server: Server, isolated_env: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+C a mitad de la descarga: el temporal se borra."""
    use(server, "ok", monkeypatch)

    class InterruptingBar:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.n = 0

        def __enter__(self) -> InterruptingBar:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def update(self, k: int) -> None:
            self.n += 1
            if self.n == 3:
                raise KeyboardInterrupt

    monkeypatch.setattr(data, "tqdm", InterruptingBar)
    monkeypatch.setattr(data, "_CHUNK", 1024)
    with pytest.raises(KeyboardInterrupt):
        load_corpus("martin_fierro")
    assert cache_entries(isolated_env) == []


# --------------------------------------------------------------------------
# Espejo local
# --------------------------------------------------------------------------


def test_mirror_reads_directly_without_network_or_cache(
        tmp_path: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = tmp_path / "espejo"
    mirror.mkdir()
    (mirror / MF.filename).write_bytes(VALID)
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(mirror))
    assert load_corpus("martin_fierro") == EXPECTED
    assert corpus_path("martin_fierro") == mirror / MF.filename
    assert not isolated_env.exists()  # no copia nada a la caché


def test_mirror_missing_or_invalid_file(tmp_path: Path, isolated_env: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = tmp_path / "espejo"
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(mirror))
    with pytest.raises(CorpusError, match="la carpeta no existe"):
        load_corpus("martin_fierro")
    mirror.mkdir()
    with pytest.raises(CorpusError) as err:
        load_corpus("martin_fierro")
    assert f"no contiene «{MF.filename}»" in str(err.value) and str(mirror) in str(err.value)
    (mirror / MF.filename).write_bytes(RESPONSES["nostart"])
    with pytest.raises(CorpusError, match=r"\*\*\* START OF"):
        load_corpus("martin_fierro")
    assert (mirror / MF.filename).exists()  # el espejo es del usuario: no se borra
    assert not isolated_env.exists()


# --------------------------------------------------------------------------
# Textos propios: load_text_file
# --------------------------------------------------------------------------


def test_load_text_file_local_ok(tmp_path: Path) -> None:
    plain = tmp_path / "mio.txt"
    plain.write_bytes(crlf_bom("\n\nTítulo\n\n" + "Había una vez un pingüino.\n" * 300))
    assert load_text_file(plain) == "Título\n\n" + "\n".join(["Había una vez un pingüino."] * 300)
    guten = tmp_path / "guten.txt"
    guten.write_bytes(VALID)
    assert load_text_file(str(guten)) == EXPECTED  # sin encabezado ni licencia


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "está vacío"),
        (b" \r\n\t\n", "está vacío"),
        (b"\xef\xbb\xbf\r\n\r\n", "está vacío"),  # solo BOM y saltos de línea
        (b"Header\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\n", "está vacío"),
        (RESPONSES["binary"], "parece binario"),
        ("hola, ñandú".encode("utf-16"), "parece binario"),
        (RESPONSES["html"], "es una página HTML"),
        ("Había una vez un ñandú. ".encode("latin-1") * 500, "Volvé a guardarlo como UTF-8"),
        ("Un texto corto.\n".encode() * 10, "demasiado corto: tiene 159 caracteres"),
    ],
    ids=["vacio", "espacios", "solo_bom", "gutenberg_sin_cuerpo", "binario", "utf16", "html",
         "latin1", "corto"],
)
def test_load_text_file_local_errors(content: bytes, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "mio.txt"
    path.write_bytes(content)
    with pytest.raises(CorpusError) as err:
        load_text_file(path)
    assert expected in str(err.value) and str(path) in str(err.value)


def test_load_text_file_min_chars_and_missing(tmp_path: Path) -> None:
    path = tmp_path / "mio.txt"
    path.write_text("Un texto corto.\n" * 10, encoding="utf-8")
    assert load_text_file(path, min_chars=100).startswith("Un texto corto.")
    with pytest.raises(CorpusError, match="no existe"):
        load_text_file(tmp_path / "otro.txt")
    with pytest.raises(CorpusError, match="no es un archivo"):
        load_text_file(tmp_path)


def test_load_text_file_url(server: Server) -> None:
    assert load_text_file(f"{server.url}/ok/libro.txt") == EXPECTED
    with pytest.raises(CorpusError, match="HTTP 404"):
        load_text_file(f"{server.url}/missing/libro.txt")
    with pytest.raises(CorpusError, match="se cortó"):
        load_text_file(f"{server.url}/cut/libro.txt")
    with pytest.raises(CorpusError, match="página HTML"):
        load_text_file(f"{server.url}/html/libro.txt")
    with pytest.raises(CorpusError, match="no hay conexión"):
        load_text_file(f"{closed_port_url()}/libro.txt")


# --------------------------------------------------------------------------
# El espejo real de los corpus del curso
# --------------------------------------------------------------------------

needs_real_mirror = pytest.mark.skipif(
    not (REAL_MIRROR / "pg14765.txt").is_file(),
    reason=f"no está el espejo de corpus en {REAL_MIRROR}",
)


@needs_real_mirror
@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("martin_fierro", "El Gaucho Martín Fierro", "PERO QUE NAIDES CONTÓ."),
        ("don_quijote", "El ingenioso hidalgo don Quijote de la Mancha", "Fin"),
        ("tiny_shakespeare", "First Citizen:", "Whiles thou art waking."),
    ],
    ids=["martin_fierro", "don_quijote", "tiny_shakespeare"],
)
def test_real_mirror_corpora_are_clean(name: str, first: str, last: str, isolated_env: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(REAL_MIRROR))
    text = load_corpus(name)
    lines = text.split("\n")
    assert lines[0] == first and lines[-1] == last
    assert "\r" not in text and "\ufeff" not in text
    assert "Gutenberg" not in text and "*** START" not in text and "*** END" not in text
    assert "Section 1." not in text  # nada de la licencia
    assert corpus_path(name).stat().st_size >= CATALOG[name].min_bytes
    assert not isolated_env.exists()


@needs_real_mirror
def test_real_martin_fierro_stanzas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(REAL_MIRROR))
    text = load_corpus("martin_fierro")
    numbered = numbered_stanzas(text)
    stanzas = martin_fierro_stanzas()
    # El archivo numera 395 estrofas: cada número de 1 a 395 aparece una sola
    # vez (contado en el archivo). Están en el orden del archivo, que pone la
    # 362 y la 363 entre la 358 y la 359.
    assert len(stanzas) == 395
    assert sorted(n for n, _ in numbered) == list(range(1, 396))
    assert [n for n, _ in numbered][356:365] == [357, 358, 362, 363, 359, 360, 361, 364, 365]
    # No son todas sextinas (el README del espejo dice «395 sextinas»): contadas
    # en el archivo hay 356 de 6 versos, 33 cuartetas (las 188–216 y 218–221
    # del canto VII), 4 octavillas, una décima (217) y la 295, a la que le
    # falta un verso en esta copia.
    lengths = collections.Counter(len(s) for s in stanzas)
    assert lengths == {6: 356, 4: 33, 8: 4, 10: 1, 5: 1}
    assert dict(numbered)[295][-1] == "¿por qué afligirse el cristiano?"
    assert stanzas[0] == [
        "Aquí me pongo a cantar", "Al compás de la vigüela,", "Que el hombre que lo desvela",
        "Una pena estraordinaria", "Como la ave solitaria", "Con el cantar se consuela.",
    ]
    assert stanzas[-1][-2:] == ["MALES QUE CONOCEN TODOS,", "PERO QUE NAIDES CONTÓ."]
    # Nada de la carta en prosa ni de los títulos de los cantos.
    verses = [v for s in stanzas for v in s]
    assert not any("Miguens" in v or "Cantor y Gaucho" in v for v in verses)
    # Tamaño del poema con la tokenización del curso (lo citan las lecciones).
    tokens = [t for v in verses for t in tokenize(v)]
    assert (len(tokens), len(set(tokens))) == (11336, 2828)
