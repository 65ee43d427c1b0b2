"""Construir y editar notebooks del curso con la metadata de nbgrader correcta.

Los notebooks de ``solutions/`` son la fuente de verdad; este módulo solo ayuda a
escribirlos (a mano o desde un script) con ids de celda estables y metadata de
nbgrader (esquema 3) coherente. Ver ``CONTRIBUTING.md``.

``python -m tools.authoring.nb fix-ids`` (``make fix-ids``) pone el id de cada celda de
nbgrader igual a su ``grade_id`` en todos los notebooks fuente: el autocorrector
restaura por id las celdas a las que les borraron la metadata, y JupyterLab no
deja elegir el id de una celda.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat

from tools import ROOT

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


class GradeIdError(ValueError):
    """Un notebook cuyos ids no se pueden derivar de los ``grade_id``."""


def fix_ids(nb: nbformat.NotebookNode, name: str = "notebook") -> list[tuple[str, str]]:
    """Pone ``id = grade_id`` en cada celda de nbgrader de ``nb`` (en el lugar).

    Devuelve los cambios ``(id anterior, id nuevo)``; vacío si ya estaba bien.
    Lanza :class:`GradeIdError` sin tocar nada si hay ``grade_id`` repetidos o
    inválidos, o si otra celda ya usa ese id.
    """
    if (nb.nbformat, nb.nbformat_minor) < (4, 5):
        raise GradeIdError(f"{name}: formato {nb.nbformat}.{nb.nbformat_minor} sin ids de "
                           "celda; guardalo con JupyterLab 3 o posterior (nbformat 4.5)")
    graded = [(i, c, c.metadata["nbgrader"]["grade_id"]) for i, c in enumerate(nb.cells)
              if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")]
    problems = []
    seen: dict[str, int] = {}
    for i, _cell, gid in graded:
        if not _ID_RE.match(gid) or len(gid) > 64:
            problems.append(f"celda {i}: grade_id {gid!r} no sirve de id (solo letras, números, "
                            "'_' y '-', hasta 64)")
        if gid in seen:
            problems.append(f"grade_id {gid!r} repetido en las celdas {seen[gid]} y {i}: "
                            "cambiá uno en JupyterLab (panel Create Assignment de nbgrader, campo ID)")
        seen.setdefault(gid, i)
    targets = {gid for _i, _c, gid in graded}
    for i, cell in enumerate(nb.cells):
        if not cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") \
                and cell.get("id") in targets:
            problems.append(f"celda {i} ({cell.cell_type}, sin nbgrader) ya tiene el id "
                            f"{cell.id!r}, que es el grade_id de la celda {seen[cell.id]}: "
                            "cambiá ese grade_id")
    if problems:
        raise GradeIdError(f"{name}:\n  " + "\n  ".join(problems))
    changes = []
    for _i, cell, gid in graded:
        if cell.get("id") != gid:
            changes.append((cell.get("id", ""), gid))
            cell.id = gid
    return changes


def source_notebooks(root: Path = ROOT) -> list[Path]:
    """Los notebooks fuente de todas las tareas: ``solutions/<tarea>/*.ipynb``."""
    return sorted(p for p in (root / "solutions").glob("*/*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def fix_ids_in(paths: Iterable[Path]) -> dict[Path, list[tuple[str, str]]]:
    """Aplica :func:`fix_ids` a cada archivo; reescribe solo los que cambian.

    Revisa todos antes de escribir ninguno: si alguno tiene un problema, lanza
    :class:`GradeIdError` con todos los problemas y no modifica nada.
    """
    notebooks, problems = [], []
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        try:
            notebooks.append((path, nb, fix_ids(nb, str(path))))
        except GradeIdError as exc:
            problems.append(str(exc))
    if problems:
        raise GradeIdError("\n".join(problems))
    changed = {}
    for path, nb, changes in notebooks:
        if changes:
            nbformat.validate(nb)
            write(nb, path)
            changed[path] = changes
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.authoring.nb")
    sub = parser.add_subparsers(dest="command", required=True)
    fix = sub.add_parser("fix-ids", help="id de cada celda de nbgrader = su grade_id")
    fix.add_argument("notebooks", nargs="*", type=Path,
                     help="por defecto, solutions/*/*.ipynb")
    args = parser.parse_args(argv)
    paths = args.notebooks or source_notebooks()
    try:
        changed = fix_ids_in(paths)
    except GradeIdError as exc:
        print(f"fix-ids: no se cambió nada.\n{exc}", file=sys.stderr)
        return 1
    for path, changes in changed.items():
        full = path.resolve()
        shown = full.relative_to(ROOT) if full.is_relative_to(ROOT) else path
        for old, new in changes:
            print(f"{shown}: id {old!r} → {new!r}")
    print(f"fix-ids: {sum(map(len, changed.values()))} ids cambiados en {len(changed)} de "
          f"{len(paths)} notebooks" if changed else
          f"fix-ids: los ids ya coinciden con los grade_id ({len(paths)} notebooks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
