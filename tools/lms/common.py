"""Lo común a Moodle y Canvas: identificadores, CSV en cualquier formato real,
notas de la gradebook y escritura sin archivos a medias."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path


class LmsError(SystemExit):
    """Entrada que no se puede usar: el mensaje (en castellano) dice por qué y qué hacer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def slug(text: str) -> str:
    """Identificador de estudiante ASCII (nbgrader lo usa en rutas y en la URL de formgrader)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "estudiante"


def same_name(a: str, b: str) -> bool:
    """¿Es el mismo nombre, tal como Moodle lo pone en una carpeta? (``_`` → espacio,
    sin los caracteres que quita ``clean_filename``, NFC, sin mayúsculas)."""
    def norm(x: str) -> str:
        x = unicodedata.normalize("NFC", x).replace("_", " ")
        x = re.sub(r"[\x00-\x1f&<>\"`|':\\/]", "", x)
        return re.sub(r"\s+", " ", x).strip().casefold()
    return norm(a) == norm(b)


def moodle_clean_filename(text: str) -> str:
    """Como ``clean_filename`` de Moodle (``PARAM_FILE``): sin caracteres de
    control ni ``& < > " ` | ' : \\ /``."""
    return re.sub(r"[\x00-\x1f&<>\"`|':\\/]", "", unicodedata.normalize("NFC", text))


def assignment_notebooks(course: Path, assignment: str) -> list[str]:
    folder = course / "solutions" / assignment
    names = sorted(p.name for p in folder.glob("*.ipynb"))
    if not names:
        raise LmsError(f"No hay notebooks en {folder}: ¿es el nombre de la tarea?")
    return names


# --------------------------------------------------------------- CSV

@dataclass
class Table:
    """Un CSV tal como vino: encabezado, filas, separador y codificación."""

    header: list[str]
    rows: list[list[str]]
    delimiter: str
    encoding: str

    def index(self, name: str) -> int | None:
        for i, h in enumerate(self.header):
            if h.strip() == name:
                return i
        return None

    def dumps(self) -> bytes:
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=self.delimiter, lineterminator="\r\n"
                            if self.delimiter == ";" else "\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return buf.getvalue().encode(self.encoding)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def read_table(path: Path, what: str) -> Table:
    """Lee un CSV con ``,`` o ``;`` (el que dé la misma cantidad de campos en
    todas las filas, como decide Canvas en ``gradebook_importer.rb``), en UTF-8
    (con o sin BOM) o Windows-1252."""
    if not path.is_file():
        raise LmsError(f"No existe {what}: {path}")
    text, encoding = _decode(path.read_bytes())
    candidates = []
    for delimiter in (",", ";"):
        rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r]
        widths = {len(r) for r in rows}
        if rows and len(widths) == 1 and len(rows[0]) > 1:
            candidates.append((delimiter, rows))
    if not candidates:
        rows = [r for r in csv.reader(io.StringIO(text)) if r]
        if not rows:
            raise LmsError(f"{what} está vacío: {path}")
        candidates.append((",", rows))
    # Con las dos, la coma (salvo que solo «;» dé columnas parejas), como Canvas.
    delimiter, rows = candidates[0]
    return Table(rows[0], rows[1:], delimiter, encoding)


def write_atomic(path: Path, data: bytes) -> None:
    """Escribe ``path`` de una vez (un archivo temporal renombrado): nunca a medias."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parse_number(text: str) -> float | None:
    """``10.00``, ``10,00``, ``1.234,5`` → float; ``None`` si no es un número."""
    text = text.strip()
    if not re.fullmatch(r"-?[0-9.,]+", text) or not re.search(r"\d", text):
        return None
    parts = re.split(r"[.,]", text)
    if len(parts) > 1:
        text = "".join(parts[:-1]) + "." + parts[-1]
    try:
        return float(text)
    except ValueError:
        return None


def fmt(x: float, decimal_comma: bool = False) -> str:
    out = f"{x:.2f}"
    return out.replace(".", ",") if decimal_comma else out


# --------------------------------------------------------------- notas

@dataclass
class Result:
    score: float
    max_score: float
    comments: str


def results(course: Path, assignment: str) -> dict[str, Result]:
    """estudiante -> nota de la tarea (suma de notebooks) y devolución en texto."""
    from nbgrader.api import Gradebook, MissingEntry

    notes: dict[str, list[str]] = {}
    grades_csv = course / "grades.csv"
    if grades_csv.exists():
        with grades_csv.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["assignment"] == assignment:
                    line = f"{r['notebook']}: {float(r['score']):g}/{float(r['max_score']):g}"
                    if r["notes"]:
                        line += f" ({r['notes']})"
                    notes.setdefault(r["student"], []).append(line)
    out: dict[str, Result] = {}
    db = course / "gradebook.db"
    if not db.exists():
        raise LmsError(f"No hay gradebook en {course}: corregí la tarea antes de exportar.")
    with Gradebook(f"sqlite:///{db}") as gb:
        for student in gb.students:
            try:
                sub = gb.find_submission(assignment, student.id)
            except MissingEntry:
                continue
            out[student.id] = Result(float(sub.score), float(sub.max_score),
                                     "; ".join(notes.get(student.id, [])))
    return out
