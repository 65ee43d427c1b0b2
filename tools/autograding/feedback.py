"""La devolución sin el código de las pruebas ocultas ni los tracebacks que lo citan.

Un fallo en la parte oculta muestra el nombre del caso (``helpers.checks.case``)
y lo esperado frente a lo obtenido, sin el código de la prueba."""

from __future__ import annotations

import re
from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from tools.autograding.markers import hidden_line_range

HIDDEN_FAILED = "Falló una prueba oculta (con otros tamaños o valores que las visibles)."
#: Cómo empieza el mensaje de un caso con nombre (``helpers.checks.case``).
CASE_PREFIX = "Caso «"


def hidden_message(evalue: str) -> str:
    """Lo que ve el estudiante de un fallo en la parte oculta: el nombre del caso
    y lo esperado frente a lo obtenido (el mensaje de ``helpers.checks``), nunca
    el código. Un fallo sin caso con nombre dice solo que falló una prueba oculta."""
    if evalue.startswith(CASE_PREFIX):
        return f"Falló una prueba oculta. {evalue}"
    return HIDDEN_FAILED

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_LINE = re.compile(r"Cell In\s*\[\d*\],\s*line (\d+)|<ipython-input-\d+-\w+> in <module>")
_ARROW = re.compile(r"^-+>\s*(\d+)")


def _failing_line(traceback: list[str]) -> int | None:
    """Línea de la celda donde falló (el primer marco del traceback)."""
    for frame in traceback:
        text = _ANSI.sub("", frame)
        m = _CELL_LINE.search(text)
        if m and m.group(1):
            return int(m.group(1))
        for line in text.splitlines():
            a = _ARROW.match(line.strip())
            if a:
                return int(a.group(1))
    return None


class HideHiddenTests(NbGraderPreprocessor):
    """Para la devolución: sin código de pruebas ocultas, sin tracebacks."""

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int
                        ) -> tuple[NotebookNode, Any]:
        if cell.cell_type != "code" or not utils.is_grade(cell):
            return cell, resources
        hidden = hidden_line_range(cell.source)
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            line = _failing_line(out.get("traceback", []))
            if hidden and (line is None or hidden[0] <= line <= hidden[1]):
                out["evalue"] = hidden_message(str(out.get("evalue", "")))
            out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        if hidden:
            lines = cell.source.split("\n")
            lines[hidden[0] - 1: hidden[1]] = ["# (pruebas ocultas: no se muestran)"]
            cell.source = "\n".join(lines)
        return cell, resources
