"""Ejecutar celdas de evaluación de un notebook fuente dentro del proceso de pytest.

Sirve para probar, sin levantar un kernel ni ejecutar el notebook entero, que
cada celda de evaluación de una función:

* pasa con la solución del docente, usando solo la celda ``setup`` y las celdas
  de solución (o sea: las celdas de evaluación son autocontenidas), y
* falla con cada implementación equivocada de ``tests/wrong/``.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from tools import ROOT
from tools.autograding.markers import BEGIN_HIDDEN, END_HIDDEN

SOLUTIONS = ROOT / "solutions"


def _meta(cell: Any) -> dict[str, Any]:
    return cell.get("metadata", {}).get("nbgrader", {})


def student_source(src: str) -> str:
    """La celda como la ve el estudiante: sin las líneas entre los marcadores
    de pruebas ocultas (marcadores incluidos), como hace nbgrader al publicar."""
    out, hidden = [], False
    for line in src.split("\n"):
        if BEGIN_HIDDEN in line:
            hidden = True
        elif END_HIDDEN in line:
            hidden = False
        elif not hidden:
            out.append(line)
    return "\n".join(out)


def defines_function(src: str, name: str) -> bool:
    """¿La celda de solución define la función ``name`` (su ``grade_id``)?"""
    return re.search(rf"^def {re.escape(name)}\(", src, re.M) is not None


@dataclass
class GradedNotebook:
    path: Path
    setup: str
    solutions: dict[str, str]      # grade_id (= nombre de la función) -> código
    # grade_id -> (código, puntos); las pruebas de ejercicios opcionales, con 0
    grade_cells: dict[str, tuple[str, float]]
    _setup_ns: dict[str, Any] | None = None

    @classmethod
    def load(cls, relpath: str, root: Path = SOLUTIONS) -> GradedNotebook:
        path = root / relpath
        nb = nbformat.read(str(path), as_version=4)
        setup = ""
        sols: dict[str, str] = {}
        grades: dict[str, tuple[str, float]] = {}
        for cell in nb.cells:
            m = _meta(cell)
            if cell.cell_type != "code" or not m:
                continue
            if m.get("grade_id") == "setup":
                setup = cell.source
            elif m.get("solution"):
                if defines_function(cell.source, m["grade_id"]):
                    sols[m["grade_id"]] = cell.source
                # Si no define su función, es una celda de estado del notebook
                # (p. ej. compilar y entrenar el modelo en la lección 04): la
                # corrige una celda que usa ese estado, no este arnés.
            elif m.get("grade"):
                grades[m["grade_id"]] = (cell.source, float(m.get("points") or 0))
            elif m.get("locked") and str(m.get("grade_id", "")).startswith("test_"):
                # Prueba de un ejercicio opcional: visible, sin puntos.
                grades[m["grade_id"]] = (cell.source, 0.0)
        if not setup:
            raise AssertionError(f"{relpath}: falta la celda bloqueada 'setup'")
        return cls(path, setup, sols, grades)

    def cells_for(self, function_name: str) -> dict[str, tuple[str, float]]:
        """Celdas de evaluación de una función: ``test_<f>`` o ``test_<f>__<algo>``."""
        out = {gid: v for gid, v in self.grade_cells.items()
               if gid == f"test_{function_name}" or gid.startswith(f"test_{function_name}__")}
        if not out:
            raise AssertionError(f"{self.path.name}: no hay celdas de evaluación para {function_name}")
        return out

    def _setup_namespace(self) -> dict[str, Any]:
        if self._setup_ns is None:
            ns: dict[str, Any] = {"__name__": "__main__"}
            exec(compile(self.setup, f"{self.path.name}:setup", "exec"), ns)
            self._setup_ns = ns
        return self._setup_ns

    def namespace(self) -> dict[str, Any]:
        """Lo que ve una celda de evaluación: la celda setup y las soluciones.

        Un diccionario nuevo cada vez, con las soluciones definidas en él (sus
        ``__globals__`` son ese diccionario, como en un kernel): así una celda
        que cambia un nombre global (``checks.graded_alone``) lo cambia también
        para las funciones que lo usan, y nada pasa de una celda a otra."""
        ns = dict(self._setup_namespace())
        for gid, src in self.solutions.items():
            exec(compile(src, f"{self.path.name}:{gid}", "exec"), ns)
        return ns

    def run_cells(self, gids: list[str], function_name: str,
                   impl: Callable[..., Any] | None, *, student: bool = False
                   ) -> dict[str, BaseException | None]:
        sink = io.StringIO()
        results: dict[str, BaseException | None] = {}
        with contextlib.redirect_stdout(sink):
            for gid in gids:
                ns = self.namespace()
                if impl is not None:
                    ns[function_name] = impl
                src = self.grade_cells[gid][0]
                if student:
                    src = student_source(src)
                try:
                    exec(compile(src, f"{self.path.name}:{gid}", "exec"), ns)
                    results[gid] = None
                except Exception as exc:  # noqa: BLE001 - cualquier fallo cuesta puntos
                    results[gid] = exc
        return results

    def run(self, function_name: str, impl: Callable[..., Any] | None = None, *,
            student: bool = False) -> dict[str, BaseException | None]:
        """Ejecuta setup + soluciones (+ ``impl`` en lugar de la solución) + las
        celdas de evaluación de ``function_name``. Devuelve la excepción (o
        ``None``) de cada celda. Con ``student=True``, las celdas como las ve el
        estudiante: sin la parte oculta."""
        return self.run_cells(list(self.cells_for(function_name)), function_name, impl,
                               student=student)

    def _users(self, function_name: str) -> set[str]:
        """Las funciones evaluadas que usan ``function_name``, directa o
        indirectamente (su solución la nombra, o nombra a una que la usa)."""
        users: set[str] = set()
        frontier = {function_name}
        while frontier:
            name = frontier.pop()
            word = re.compile(rf"\b{re.escape(name)}\b")
            for other, src in self.solutions.items():
                if other != function_name and other not in users and word.search(src):
                    users.add(other)
                    frontier.add(other)
        return users

    def dependents(self, function_name: str) -> list[str]:
        """Celdas de evaluación de **otras** funciones que podrían usar
        ``function_name``: las que la nombran, o cuya función (la solución) la
        usa, directa o indirectamente. Las demás no pueden verse afectadas por
        un error en ella."""
        word = re.compile(rf"\b{re.escape(function_name)}\b")
        users = self._users(function_name)
        own = set(self.cells_for(function_name))
        out = []
        for gid, (src, _pts) in self.grade_cells.items():
            if gid in own:
                continue
            tested = gid.removeprefix("test_").split("__")[0]
            if word.search(src) or tested in users:
                out.append(gid)
        return out

    def run_dependents(self, function_name: str, impl: Callable[..., Any]
                       ) -> dict[str, BaseException | None]:
        """Las celdas de :meth:`dependents` con ``impl`` en lugar de la solución."""
        return self.run_cells(self.dependents(function_name), function_name, impl)
