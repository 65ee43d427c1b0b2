"""Lo que ya dejó la corrección: la gradebook y los resultados guardados.

Nada se vuelve a corregir. Se lee:

* ``gradebook.db`` (SQLite de nbgrader): las celdas con puntos de cada
  notebook, y las notas de cada entrega (``manual_score`` si el docente puso
  una; si no, ``auto_score``; ``needs_manual_grade`` sin nota manual =
  pendiente). El crédito extra no entra en el análisis de ítems;
* la tabla de fusión de :mod:`tools.grading.gradebook_merge`: qué resultado
  guardado corresponde a cada (estudiante, tarea);
* ``<curso>/.grading/results/<clave>.json``: estado, segundos y observaciones
  de cada corrección;
* los notebooks corregidos (``autograded/<estudiante>/<tarea>/``, o el
  ``<clave>.tar.gz`` guardado si la carpeta no está): las salidas de error de
  las celdas de evaluación (``ename``/``evalue``), para los errores de la clase.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tools.stats.mistakes import classify

#: Tabla de :mod:`tools.grading.gradebook_merge` (``STATE``) y carpeta de
#: ``tools.grading.STATE_DIR``, copiadas: importar ``tools.grading`` carga
#: nbgrader, Jupyter y Dask (segundos); ``tests/test_stats.py`` comprueba que
#: sigan siendo iguales.
MERGE_TABLE = "rnn_grading_merge"
STATE_DIR = ".grading"
_ERROR_MARK = b'"output_type": "error"'


@dataclass
class Item:
    notebook: str
    cell: str
    points: float
    manual: bool = False

    @property
    def label(self) -> str:
        """``01:test_elman_step`` (el número de la lección; si no hay, el notebook)."""
        prefix = self.notebook.split("_", 1)[0]
        return f"{prefix if prefix.isdigit() else self.notebook}:{self.cell}"


@dataclass
class ClassData:
    """Una tarea: ítems, estudiantes que entregaron y sus resultados."""

    assignment: str
    items: list[Item]
    notebooks: list[str]
    students: list[str]
    absent: list[str]
    scores: np.ndarray            # estudiantes × ítems; NaN = pendiente de nota manual
    handed: np.ndarray            # estudiantes × notebooks (bool)
    #: (índice de estudiante, índice de ítem) -> (ename, evalue) de la salida de error
    errors: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    seconds: dict[str, float | None] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def pending(self) -> np.ndarray:
        return np.isnan(self.scores)

    def kinds(self) -> np.ndarray:
        """Clase de resultado de cada (estudiante, ítem): ver :mod:`mistakes`."""
        from tools.stats import mistakes as m

        out = np.full(self.scores.shape, m.OK, dtype=object)
        for (s, i), (ename, evalue) in self.errors.items():
            out[s, i] = classify(ename, evalue)
        nb_index = {nb: j for j, nb in enumerate(self.notebooks)}
        cols = np.array([nb_index[it.notebook] for it in self.items], dtype=int)
        if cols.size:
            out[~self.handed[:, cols]] = m.MISSING
        out[self.pending] = m.PENDING
        return out


def assignments(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT name FROM assignment ORDER BY name")]


def _source_order(course: Path, assignment: str, notebook: str) -> dict[str, int]:
    """Posición de cada ``grade_id`` en el notebook fuente (si está)."""
    path = course / "solutions" / assignment / f"{notebook}.ipynb"
    if not path.exists():
        return {}
    nb = json.loads(path.read_text(encoding="utf-8"))
    return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""): i
            for i, c in enumerate(nb.get("cells", []))}


def _items(con: sqlite3.Connection, course: Path, assignment: str) -> list[Item]:
    rows = con.execute(
        "SELECT n.name AS nb, bc.name AS cell, c.max_score AS pts, c.cell_type AS ct FROM base_cell bc "
        "JOIN notebook n ON bc.notebook_id = n.id JOIN assignment a ON n.assignment_id = a.id "
        "JOIN (SELECT id, max_score, cell_type FROM grade_cells UNION ALL "
        "      SELECT id, max_score, 'markdown' FROM task_cells) c ON c.id = bc.id "
        "WHERE a.name = ? AND c.max_score > 0", (assignment,)).fetchall()
    items = [Item(r["nb"], r["cell"], float(r["pts"]), r["ct"] == "markdown") for r in rows]
    orders = {nb: _source_order(course, assignment, nb) for nb in {it.notebook for it in items}}
    items.sort(key=lambda it: (it.notebook, orders[it.notebook].get(it.cell, 10**6), it.cell))
    return items


def _grades(con: sqlite3.Connection, assignment: str) -> list[sqlite3.Row]:
    return con.execute(
        "SELECT sa.student_id AS student, n.name AS nb, bc.name AS cell, g.auto_score AS auto, "
        "g.manual_score AS manual, g.needs_manual_grade AS needs "
        "FROM grade g JOIN submitted_notebook sn ON g.notebook_id = sn.id "
        "JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
        "JOIN assignment a ON sa.assignment_id = a.id JOIN notebook n ON sn.notebook_id = n.id "
        "JOIN base_cell bc ON g.cell_id = bc.id WHERE a.name = ?", (assignment,)).fetchall()


def _score(row: sqlite3.Row) -> float:
    if row["manual"] is not None:
        return float(row["manual"])
    if row["needs"]:
        return float("nan")
    return float(row["auto"] or 0.0)


def _merged(con: sqlite3.Connection, assignment: str) -> dict[str, str]:
    if not con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                       (MERGE_TABLE,)).fetchone():
        return {}
    return {r[0]: r[1] for r in con.execute(
        f"SELECT student, key FROM {MERGE_TABLE} WHERE assignment = ?", (assignment,))}


def _notebook_files(course: Path, results: Path, assignment: str, student: str,
                    key: str | None) -> dict[str, bytes] | None:
    """Los notebooks corregidos de una entrega, por nombre (sin ``.ipynb``);
    ``None`` si no hay nada guardado de ella."""
    folder = course / "autograded" / student / assignment
    if folder.is_dir():
        return {p.stem: p.read_bytes() for p in folder.glob("*.ipynb")}
    tar = results / f"{key}.tar.gz" if key else None
    if tar is None or not tar.exists():
        return None
    out = {}
    with tarfile.open(fileobj=io.BytesIO(tar.read_bytes()), mode="r:gz") as tf:
        for member in tf.getmembers():
            name = Path(member.name)
            fh = tf.extractfile(member) if member.isfile() and name.suffix == ".ipynb" else None
            if fh is not None and len(name.parts) == 1 + (name.parts[0] == "."):
                out[name.stem] = fh.read()
    return out


_STRING_END = re.compile(rb'(?<!\\)(?:\\\\)*"')
_DECODER = json.JSONDecoder()


def _rfind_key(data: bytes, key: bytes, start: int, end: int) -> int:
    """Última aparición de la clave ``"key":`` en ``data[start:end]`` fuera de
    un string (dentro de uno, la comilla estaría escapada); -1 si no está."""
    pos = data.rfind(key, start, end)
    while pos > 0 and data[pos - 1:pos] == b"\\":
        pos = data.rfind(key, start, pos)
    return pos


def _string_after(data: bytes, pos: int) -> str | None:
    """El string JSON que empieza en la primera comilla después de ``pos``."""
    opening = data.find(b'"', pos)
    close = _STRING_END.search(data, opening + 1) if opening >= 0 else None
    if close is None:
        return None
    return str(_DECODER.raw_decode(data[opening:close.end()].decode("utf-8"))[0])


def _scan_errors(data: bytes) -> dict[str, tuple[str, str]] | None:
    """Las salidas de error sin decodificar el notebook entero (los corregidos
    pesan cientos de KB por las imágenes): ``nbformat`` escribe las claves en
    orden, así que la celda empieza en ``"cell_type"``, su ``grade_id`` va antes
    de sus salidas y, en una salida de error, ``ename`` y ``evalue`` van antes
    de ``output_type``. ``None`` si algo no calza (se lee el JSON entero)."""
    if _ERROR_MARK not in data:
        return None  # otro formato (JSON compacto): se lee entero
    out: dict[str, tuple[str, str]] = {}
    pos = data.find(_ERROR_MARK)
    while pos >= 0:
        cell = _rfind_key(data, b'"cell_type":', 0, pos)
        ename = _rfind_key(data, b'"ename":', max(cell, 0), pos)
        evalue = _rfind_key(data, b'"evalue":', max(ename, 0), pos)
        if min(cell, ename, evalue) < 0:
            return None
        gid = _rfind_key(data, b'"grade_id":', cell, ename)
        if gid >= 0:  # sin grade_id: no es una celda de evaluación
            name = _string_after(data, ename + len(b'"ename":'))
            value = _string_after(data, evalue + len(b'"evalue":'))
            grade_id = _string_after(data, gid + len(b'"grade_id":'))
            if name is None or value is None or grade_id is None:
                return None
            out.setdefault(grade_id, (name, value))
        pos = data.find(_ERROR_MARK, pos + 1)
    return out


def error_outputs(data: bytes) -> dict[str, tuple[str, str]]:
    """``{grade_id: (ename, evalue)}`` de las celdas con una salida de error."""
    if _ERROR_MARK not in data and b'"output_type":"error"' not in data:
        return {}  # la mayoría de los notebooks: nada que analizar
    try:
        fast = _scan_errors(data)
    except ValueError:
        fast = None
    return fast if fast is not None else _parse_errors(data)


def _parse_errors(data: bytes) -> dict[str, tuple[str, str]]:
    try:
        nb = json.loads(data)
    except ValueError:
        return {}
    out = {}
    for cell in nb.get("cells", []):
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        for o in cell.get("outputs", []) or []:
            if gid and o.get("output_type") == "error":
                out[gid] = (str(o.get("ename", "")), str(o.get("evalue", "")))
                break
    return out


def _result_meta(results: Path, key: str | None) -> dict:
    path = results / f"{key}.json" if key else None
    if path is None or not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def load(course: Path, assignment: str) -> ClassData:
    """Lee todo lo de una tarea (ver el docstring del módulo)."""
    con = sqlite3.connect(f"file:{course / 'gradebook.db'}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        items = _items(con, course, assignment)
        grades = _grades(con, assignment)
        keys = _merged(con, assignment)
        everyone = [r[0] for r in con.execute("SELECT id FROM student ORDER BY id")]
    finally:
        con.close()
    students = sorted({r["student"] for r in grades} | set(keys))
    data = ClassData(assignment, items, sorted({it.notebook for it in items}), students,
                     [s for s in everyone if s not in set(students)],
                     np.zeros((len(students), len(items))),
                     np.ones((len(students), 0), dtype=bool))
    _fill_scores(data, grades)
    _fill_results(data, course, keys)
    _drop_inactive(data)
    return data


def _drop_inactive(data: ClassData) -> None:
    """Quien no entregó ningún notebook de la tarea no entra en el análisis
    (como en Moodle, solo cuentan los intentos): pasa a ``absent``."""
    active = data.handed.any(axis=1) if data.notebooks else np.ones(len(data.students), bool)
    if active.all():
        return
    keep = np.flatnonzero(active)
    new_index = {int(old): new for new, old in enumerate(keep)}
    data.absent = sorted(data.absent + [data.students[i] for i in np.flatnonzero(~active)])
    data.students = [data.students[i] for i in keep]
    data.scores, data.handed = data.scores[keep], data.handed[keep]
    data.errors = {(new_index[s], j): e for (s, j), e in data.errors.items() if s in new_index}


def _fill_scores(data: ClassData, grades: list[sqlite3.Row]) -> None:
    srow = {s: i for i, s in enumerate(data.students)}
    col = {(it.notebook, it.cell): j for j, it in enumerate(data.items)}
    for r in grades:
        j = col.get((r["nb"], r["cell"]))
        if j is not None:
            data.scores[srow[r["student"]], j] = _score(r)


def _fill_results(data: ClassData, course: Path, keys: dict[str, str]) -> None:
    results = course / STATE_DIR / "results"
    col = {(it.notebook, it.cell): j for j, it in enumerate(data.items)}
    data.handed = np.ones((len(data.students), len(data.notebooks)), dtype=bool)
    for s, student in enumerate(data.students):
        key = keys.get(student)
        meta = _result_meta(results, key)
        data.seconds[student] = meta.get("seconds")
        data.status[student] = meta.get("status", "sin resultado guardado")
        data.notes[student] = [f"{nb}: {n}" for nb, ns in (meta.get("notes") or {}).items()
                               for n in ns]
        files = _notebook_files(course, results, data.assignment, student, key)
        if files is None:
            # Corregido sin notebooks (entregó otra cosa, o su JSON estaba roto):
            # no entregó ninguno. Sin resultado guardado no se sabe: cuenta la gradebook.
            data.handed[s, :] = not meta
            continue
        for j, nb in enumerate(data.notebooks):
            data.handed[s, j] = nb in files
            for gid, err in error_outputs(files.get(nb, b"")).items():
                if (nb, gid) in col:
                    data.errors[(s, col[(nb, gid)])] = err
