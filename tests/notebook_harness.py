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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from tools import ROOT

SOLUTIONS = ROOT / "solutions"


def _meta(cell: Any) -> dict[str, Any]:
    return cell.get("metadata", {}).get("nbgrader", {})


@dataclass
class GradedNotebook:
    path: Path
    setup: str
    solutions: dict[str, str]      # grade_id (= nombre de la función) -> código
    # grade_id -> (código, puntos); las pruebas de ejercicios opcionales, con 0
    grade_cells: dict[str, tuple[str, float]]

    @classmethod
    def load(cls, relpath: str) -> GradedNotebook:
        path = SOLUTIONS / relpath
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
                sols[m["grade_id"]] = cell.source
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

    def namespace(self) -> dict[str, Any]:
        """Lo que ve una celda de evaluación: la celda setup y las soluciones."""
        ns: dict[str, Any] = {"__name__": "__main__"}
        exec(compile(self.setup, f"{self.path.name}:setup", "exec"), ns)
        for gid, src in self.solutions.items():
            exec(compile(src, f"{self.path.name}:{gid}", "exec"), ns)
        return ns

    def run(self, function_name: str, impl: Callable[..., Any] | None = None
            ) -> dict[str, BaseException | None]:
        """Ejecuta setup + soluciones (+ ``impl`` en lugar de la solución) + las
        celdas de evaluación de ``function_name``. Devuelve la excepción (o
        ``None``) de cada celda."""
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink):
            ns = self.namespace()
            if impl is not None:
                ns[function_name] = impl
            results: dict[str, BaseException | None] = {}
            for gid, (src, _pts) in self.cells_for(function_name).items():
                try:
                    exec(compile(src, f"{self.path.name}:{gid}", "exec"), dict(ns))
                    results[gid] = None
                except Exception as exc:  # noqa: BLE001 - cualquier fallo cuesta puntos
                    results[gid] = exc
        return results
