"""Construir y editar notebooks del curso con la metadata de nbgrader correcta.

Los notebooks de ``solutions/`` son la fuente de verdad; este módulo solo ayuda a
escribirlos (a mano o desde un script) con ids de celda estables y metadata de
nbgrader (esquema 3) coherente. Ver ``CONTRIBUTING.md``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}
_ID_RE = re.compile(r"^[a-zA-Z0-9_-]+$")


def _nbgrader(grade_id: str, *, grade: bool, solution: bool, locked: bool,
              points: float | None = None) -> dict[str, Any]:
    if not _ID_RE.match(grade_id):
        raise ValueError(f"grade_id inválido: {grade_id!r}")
    meta: dict[str, Any] = {
        "schema_version": 3,
        "grade_id": grade_id,
        "grade": grade,
        "solution": solution,
        "locked": locked,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def md(cell_id: str, text: str) -> nbformat.NotebookNode:
    """Celda de texto (markdown)."""
    return nbformat.v4.new_markdown_cell(text.strip("\n"), id=cell_id)


def code(cell_id: str, source: str) -> nbformat.NotebookNode:
    """Celda de código común (ni solución ni evaluación)."""
    return nbformat.v4.new_code_cell(source.strip("\n"), id=cell_id)


def locked(cell_id: str, source: str) -> nbformat.NotebookNode:
    """Celda de código de solo lectura: nbgrader la restaura al corregir."""
    cell = code(cell_id, source)
    cell.metadata.update(_nbgrader(cell_id, grade=False, solution=False, locked=True))
    return cell


def setup(source: str) -> nbformat.NotebookNode:
    """La celda ``setup`` (importaciones y semillas), bloqueada.

    Las celdas de evaluación solo pueden usar los nombres que define esta celda
    y la función que evalúan (las pruebas de ``tests/`` lo verifican).
    """
    return locked("setup", source)


def solution(function_name: str, source: str) -> nbformat.NotebookNode:
    """Celda de solución: el código entre ``### BEGIN/END SOLUTION`` se borra
    en la versión del estudiante. ``grade_id`` = nombre de la función."""
    if "### BEGIN SOLUTION" not in source:
        raise ValueError(f"{function_name}: falta '### BEGIN SOLUTION'")
    cell = code(function_name, source)
    cell.metadata.update(_nbgrader(function_name, grade=False, solution=True, locked=False))
    return cell


def tests(grade_id: str, source: str, points: float) -> nbformat.NotebookNode:
    """Celda de evaluación (bloqueada, con puntos). ``grade_id`` = ``test_<función>[_algo]``."""
    if not grade_id.startswith("test_"):
        raise ValueError("el grade_id de una celda de evaluación empieza con 'test_'")
    cell = code(grade_id, source)
    cell.metadata.update(_nbgrader(grade_id, grade=True, solution=False, locked=True,
                                   points=points))
    return cell


def manual(grade_id: str, text: str, points: float) -> nbformat.NotebookNode:
    """Respuesta escrita, corregida a mano (markdown, solución + evaluación)."""
    cell = md(grade_id, text)
    cell.metadata.update(_nbgrader(grade_id, grade=True, solution=True, locked=False,
                                   points=points))
    return cell


def new_notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)}
    ids = [c.id for c in cells]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"ids de celda repetidos: {sorted(dup)}")
    nbformat.validate(nb)
    return nb


def write(nb: nbformat.NotebookNode, path: str | Path) -> None:
    """Escribe el notebook con formato estable (indentación 1, salto final)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def read(path: str | Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def cells_by_grade_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    out = {}
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid:
            out[gid] = cell
    return out
