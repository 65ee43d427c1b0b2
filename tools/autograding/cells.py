"""Celdas sin metadata de nbgrader: reconocerlas por id o, si tampoco hay id, por contenido y posición."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import OverwriteCells

from tools.autograding.markers import hidden_line_range

# --------------------------------------------------------------------------
# Celdas sin metadata: reconocerlas por id o, si tampoco hay id, por contenido
# --------------------------------------------------------------------------

#: Nota que queda en la metadata del notebook corregido (la copia a la tabla
#: de ``tools.grading``) cuando hubo que reconocer celdas por su contenido.
NOTES_KEY = "rnn_grading"
CONTENT_NOTE = "celdas reconocidas por contenido: {n}"

#: Parecido mínimo (por líneas) para tomar una celda fija (markdown, código del
#: docente, celdas bloqueadas) como la misma celda de la fuente.
NEAR = 0.75
#: Si hubo que reconocer celdas por contenido y menos de esta fracción de las
#: celdas fijas de la fuente aparece en la entrega, no es este notebook: la
#: corrección falla (no se corrige con celdas asignadas al azar).
MIN_ANCHORS = 0.5


class UnrecognizedSubmission(RuntimeError):
    """La entrega no tiene metadata de nbgrader y su contenido no es el de la tarea."""


@dataclass(frozen=True)
class RefCell:
    """Una celda de la versión del estudiante, tal como la recibió."""

    cell_type: str
    text: str
    grade_id: str | None = None   # celdas de nbgrader
    role: str = "fixed"           # "fixed" (no se edita) o "solution" (la escribe el estudiante)
    names: tuple[str, ...] = ()   # funciones/clases que define el esqueleto de una solución


DEFINES = re.compile(r"^\s*(?:async\s+)?(?:def|class)\s+(\w+)", re.M)


def _lines(text: str) -> list[str]:
    return [ln.rstrip() for ln in text.strip().split("\n") if ln.strip()]


def without_hidden_tests(source: str) -> str:
    """El código de una celda de evaluación sin sus bloques de pruebas ocultas
    (todos: una celda con ``checks.graded_alone`` tiene uno para las versiones
    de referencia y otro para los casos)."""
    while (rng := hidden_line_range(source)) is not None and rng[0] <= rng[1]:
        lines = source.split("\n")
        source = "\n".join(lines[:rng[0] - 1] + lines[rng[1]:])
    return source


def alignment_skeleton(source: Path) -> bytes:
    """Lo que el alineamiento necesita del notebook fuente, sin nada secreto.

    La secuencia de celdas de la fuente (tipo y texto de las que no son de
    nbgrader: el estudiante ya las tiene) y, en lugar de cada celda de
    nbgrader, una celda vacía con su metadata: :meth:`RestoreMissingMetadata._reference`
    toma su texto de la gradebook. Sin soluciones ni pruebas ocultas, así que
    puede viajar al trabajo de corrección (``solutions/<tarea>/<nb>.ipynb`` de
    su curso descartable) aunque el kernel del estudiante lo pueda leer."""
    nb = nbformat.read(str(source), as_version=4)
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader"):
            cell.source = ""
        if cell.get("cell_type") == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.get("metadata", {}).pop("rnn_grading", None)
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in ("kernelspec", "language_info")}
    return nbformat.writes(nb).encode("utf-8")


def similarity(a: str, b: str) -> float:
    """Parecido entre dos celdas por líneas (1.0: iguales salvo espacios al final)."""
    la, lb = _lines(a), _lines(b)
    if la == lb:
        return 1.0
    if not la or not lb:
        return 0.0
    return difflib.SequenceMatcher(None, la, lb, autojunk=False).ratio()


def _score(cell: NotebookNode, ref: RefCell) -> float | None:
    """Cuánto se parece una celda de la entrega (sin metadata) a una de la
    fuente; ``None``: no pueden ser la misma celda."""
    if cell.get("cell_type") != ref.cell_type:
        return None
    sim = similarity(cell.get("source", ""), ref.text)
    if ref.role == "fixed":
        return sim if sim >= NEAR else None
    # Solución: la escribe el estudiante. Una celda de código que define las
    # mismas funciones que el esqueleto es ella; si no, cuenta su posición
    # entre las celdas fijas (puntaje bajo, pero positivo).
    if ref.names and all(re.search(rf"^\s*(?:async\s+)?(?:def|class)\s+{n}\b",
                                   cell.get("source", ""), re.M) for n in ref.names):
        return 0.9 + 0.1 * sim
    return max(0.1, 0.8 * sim)


def align(cells: list[NotebookNode], reference: list[RefCell],
          fixed: dict[int, int]) -> dict[int, int]:
    """Alinea las celdas de la entrega con las de la fuente, en orden.

    Como un alineamiento de secuencias (Needleman-Wunsch sin costo por hueco):
    maximiza la suma de parecidos de los pares (entrega ``i``, fuente ``j``)
    sin cruzarlos, así que una celda agregada por el estudiante o una borrada
    solo dejan un hueco. ``fixed`` son los pares ya conocidos (por la metadata
    de nbgrader o por el id): valen mucho más que cualquier otro, y esas celdas
    no pueden emparejarse con otra. Devuelve ``{i: j}``.
    """
    n, m = len(cells), len(reference)
    fixed_refs = set(fixed.values())
    big = 10.0 * (n + m + 1)

    def score(i: int, j: int) -> float | None:
        if i in fixed:
            return big if fixed[i] == j else None
        if j in fixed_refs:
            return None
        return _score(cells[i], reference[j])

    return _backtrack(_fill(n, m, score), n, m)


def _fill(n: int, m: int, score: Any) -> list[list[int]]:
    """Tabla de decisiones del alineamiento: 0 par, 1 saltea la celda de la
    entrega, 2 saltea la de la fuente (en empate, saltear)."""
    dp = [[0.0] * (m + 1) for _ in range(n + 1)]
    back = [[1] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            options = [(dp[i - 1][j], 1), (dp[i][j - 1], 2)]
            s = score(i - 1, j - 1)
            if s is not None:
                options.append((dp[i - 1][j - 1] + s, 0))
            dp[i][j], back[i][j] = max(options, key=lambda o: o[0])
    return back


def _backtrack(back: list[list[int]], n: int, m: int) -> dict[int, int]:
    pairs: dict[int, int] = {}
    i, j = n, m
    while i > 0 and j > 0:
        how = back[i][j]
        if how == 0:
            pairs[i - 1] = j - 1
        i -= how in (0, 1)
        j -= how in (0, 2)
    return pairs


def add_note(nb: NotebookNode, note: str) -> None:
    """Agrega una observación para la tabla de notas (``metadata.rnn_grading.notes``)."""
    meta = nb.metadata.setdefault(NOTES_KEY, {})
    meta.setdefault("notes", []).append(note)


class OverwriteCellsById(OverwriteCells):
    """``OverwriteCells`` que además reconoce celdas sin metadata de nbgrader.

    1. Por su ``id``: en la fuente, el id de cada celda de nbgrader es su
       ``grade_id`` (JupyterLab conserva los ids aunque se borre la metadata).
    2. Si quedan celdas de nbgrader de la fuente sin encontrar (un notebook
       guardado como nbformat 4.0, como los de Colab, no tiene ids; algunos
       editores borran toda la metadata de las celdas, jupyter/nbgrader#424 y
       #1398), por contenido y posición: :func:`align` alinea la entrega con la
       secuencia de celdas de la versión del estudiante (el notebook fuente
       con los esqueletos de la gradebook en lugar de las soluciones y sin
       pruebas ocultas). Las celdas fijas se reconocen por contenido igual o
       casi igual; las de solución, por su posición entre ellas y las
       funciones que definen. La cantidad queda como observación
       (:data:`CONTENT_NOTE`). Si la entrega no se parece a la fuente, falla
       con :class:`UnrecognizedSubmission` en lugar de corregir mal.

    La metadata restaurada es la de la fuente; después ``OverwriteCells`` hace
    lo de siempre (restaura el código de las celdas bloqueadas y de evaluación
    desde la gradebook).
    """

    def _metadata(self, name: str, locked: bool, graded: dict[str, float],
                  solution: set[str]) -> dict[str, Any]:
        meta: dict[str, Any] = {"schema_version": 3, "grade_id": name, "locked": locked,
                                "grade": name in graded, "solution": name in solution,
                                "task": False}
        if name in graded:
            meta["points"] = graded[name]
        return meta

    def _reference(self, resources: Any, source: Any) -> list[RefCell]:
        """La secuencia de celdas que recibió el estudiante.

        Con el notebook fuente (``<source_directory>/<tarea>/<nb>.ipynb``) si
        está en el curso: todas sus celdas, con las de nbgrader tal como las
        guardó la gradebook (esqueletos en lugar de soluciones). Sin él, solo
        las celdas de nbgrader de la gradebook, en orden."""
        from nbgrader.coursedir import CourseDirectory

        cells = {c.name: c for c in source.source_cells}
        solution = {c.name for c in source.solution_cells}

        def ref(name: str) -> RefCell:
            c = cells[name]
            text = c.source if name in solution else without_hidden_tests(c.source)
            return RefCell(c.cell_type, text, name, "solution" if name in solution else "fixed",
                           tuple(DEFINES.findall(c.source)) if name in solution else ())

        coursedir = CourseDirectory(config=self.config)
        path = Path(coursedir.format_path(coursedir.source_directory, ".",
                                          resources["nbgrader"]["assignment"])
                    ) / f"{resources['nbgrader']['notebook']}.ipynb"
        if not path.is_file():
            return [ref(c.name) for c in source.source_cells]
        out = []
        for cell in nbformat.read(str(path), as_version=4).cells:
            name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            out.append(ref(name) if name in cells else RefCell(cell.cell_type, cell.source))
        return out

    def preprocess(self, nb: NotebookNode, resources: Any) -> tuple[NotebookNode, Any]:
        notebook_id = resources["nbgrader"]["notebook"]
        assignment_id = resources["nbgrader"]["assignment"]
        with Gradebook(resources["nbgrader"]["db_url"]) as gb:
            source = gb.find_notebook(notebook_id, assignment_id)
            graded = {c.name: float(c.max_score) for c in source.grade_cells}
            solution = {c.name for c in source.solution_cells}
            known = {c.name: bool(c.locked) for c in source.source_cells}
            taken = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells}
            # 1. Por id.
            for cell in nb.cells:
                name = cell.get("id")
                if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"):
                    continue
                if name in known and name not in taken:
                    self.log.warning("Celda %s sin metadata de nbgrader: restaurada por su id", name)
                    cell.metadata["nbgrader"] = self._metadata(name, known[name], graded, solution)
                    taken.add(name)
            # 2. Por contenido, si todavía falta alguna.
            if set(known) - taken:
                self._restore_by_content(nb, resources, source, graded, solution, known)
        return super().preprocess(nb, resources)

    def _restore_by_content(self, nb: NotebookNode, resources: Any, source: Any,
                            graded: dict[str, float], solution: set[str],
                            known: dict[str, bool]) -> None:
        reference = self._reference(resources, source)
        index = {r.grade_id: j for j, r in enumerate(reference) if r.grade_id}
        fixed = {}
        for i, cell in enumerate(nb.cells):
            name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if name in index:
                fixed[i] = index[name]
        pairs = align(nb.cells, reference, fixed)
        restored = []
        for i, j in sorted(pairs.items()):
            ref = reference[j]
            if i in fixed or ref.grade_id is None:
                continue
            nb.cells[i].metadata["nbgrader"] = self._metadata(
                ref.grade_id, known[ref.grade_id], graded, solution)
            restored.append(ref.grade_id)
        anchors = [j for j, r in enumerate(reference) if r.role == "fixed"]
        found = set(pairs.values())
        matched = sum(j in found for j in anchors)
        by_meta = len(fixed)
        if matched < MIN_ANCHORS * len(anchors) and by_meta < MIN_ANCHORS * len(known):
            raise UnrecognizedSubmission(
                f"{resources['nbgrader']['notebook']}.ipynb: la entrega no tiene la metadata "
                f"de nbgrader y su contenido no es el de la tarea (se reconocen {matched} de "
                f"{len(anchors)} celdas fijas de la fuente): ¿es el notebook de otra tarea? "
                f"Revisala a mano.")
        if restored:
            self.log.warning("Celdas sin metadata ni id reconocidas por contenido: %s",
                             ", ".join(restored))
            add_note(nb, CONTENT_NOTE.format(n=len(restored)))
