"""Extensiones de nbgrader que cierran agujeros de la corrección automática.

Las registra ``nbgrader_config.py``; no las usa el estudiante. Requieren nbgrader
(extra ``lab``).

* :class:`OverwriteCellsById`: si el estudiante borró la metadata de nbgrader de
  una celda bloqueada o de evaluación, la celda se reconoce por su ``id`` (en la
  fuente, el id de cada celda de nbgrader es su ``grade_id``) y se restaura
  desde la gradebook como cualquier otra.
* :class:`RobustExecute`: si un bucle con ``except:`` pelado se traga la
  interrupción del timeout, el kernel se reinicia, se vuelven a ejecutar (sin
  mostrar nada) las celdas anteriores que terminaron, la celda colgada queda con
  un error que lo explica y la corrección sigue. Además, antes de cada celda de
  evaluación se descargan los módulos ``helpers.*``: la celda vuelve a importar
  las comprobaciones desde el disco, aunque el estudiante las haya pisado.
* :class:`HideHiddenTests`: la devolución (HTML de ``generate_feedback``)
  muestra los resultados sin el código de las pruebas ocultas ni los
  tracebacks que lo citan.
"""

from __future__ import annotations

import re
from typing import Any

from nbclient.exceptions import CellTimeoutError
from nbclient.util import ensure_async, run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells

BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
KERNEL_RESTARTED = "KernelRestarted"
HIDDEN_FAILED = "Falló una prueba oculta (con otros tamaños o valores que las visibles)."

# Se ejecuta (en silencio) antes de cada celda de evaluación.
RESET_HELPERS = (
    "import sys as _nbg_sys\n"
    "for _nbg_m in [m for m in list(_nbg_sys.modules) if m == 'helpers' or m.startswith('helpers.')]:\n"
    "    del _nbg_sys.modules[_nbg_m]\n"
    "del _nbg_sys\n"
)


class OverwriteCellsById(OverwriteCells):
    """``OverwriteCells`` que además reconoce celdas sin metadata por su id."""

    def preprocess(self, nb: NotebookNode, resources: Any) -> tuple[NotebookNode, Any]:
        notebook_id = resources["nbgrader"]["notebook"]
        assignment_id = resources["nbgrader"]["assignment"]
        with Gradebook(resources["nbgrader"]["db_url"]) as gb:
            source = gb.find_notebook(notebook_id, assignment_id)
            graded = {c.name: float(c.max_score) for c in source.grade_cells}
            solution = {c.name for c in source.solution_cells}
            known = {c.name: c for c in source.source_cells}
            restore = {}
            for cell in nb.cells:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                name = cell.get("id")
                if meta.get("grade_id") or name not in known:
                    continue
                src = known[name]
                restore[name] = {
                    "schema_version": 3, "grade_id": name, "locked": bool(src.locked),
                    "grade": name in graded, "solution": name in solution, "task": False,
                }
                if name in graded:
                    restore[name]["points"] = graded[name]
        taken = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells}
        for cell in nb.cells:
            name = cell.get("id")
            if name in restore and name not in taken:
                self.log.warning("Celda %s sin metadata de nbgrader: restaurada por su id", name)
                cell.metadata["nbgrader"] = restore[name]
                taken.add(name)
        return super().preprocess(nb, resources)


class RobustExecute(Execute):
    """``Execute`` que sobrevive a un kernel que ignora la interrupción."""

    def reset_execution_trackers(self) -> None:
        super().reset_execution_trackers()
        self._finished_sources: list[str] = []

    async def _run_silently(self, source: str) -> None:
        assert self.kc is not None
        msg_id = await ensure_async(self.kc.execute(source, silent=True, store_history=False))
        await self.async_wait_for_reply(msg_id)

    async def _restart_and_replay(self) -> None:
        assert self.km is not None and self.kc is not None
        self.log.error("El kernel ignoró la interrupción: se reinicia y se repiten %d celdas",
                       len(self._finished_sources))
        await ensure_async(self.km.restart_kernel(now=True))
        await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))
        for source in self._finished_sources:
            await self._run_silently(source)

    async def async_execute_cell(self, cell: NotebookNode, cell_index: int,
                                 execution_count: int | None = None,
                                 store_history: bool = True) -> NotebookNode:
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        if utils.is_grade(cell):
            await self._run_silently(RESET_HELPERS)
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        except CellTimeoutError:
            await self._restart_and_replay()
            cell.outputs.append(NotebookNode(
                output_type="error", ename=KERNEL_RESTARTED,
                evalue=("la celda no terminó a tiempo y no respondió a la interrupción "
                        "(¿un `except:` que atrapa todo?): se reinició el kernel y se "
                        "volvieron a ejecutar las celdas anteriores"),
                traceback=[f"{KERNEL_RESTARTED}: la celda no respondió a la interrupción"],
            ))
            return cell
        timed_out = any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", []))
        if not timed_out:
            self._finished_sources.append(cell.source)
        return cell

    execute_cell = run_sync(async_execute_cell)


def hidden_line_range(source: str) -> tuple[int, int] | None:
    """Líneas (1-based, inclusive) entre los marcadores de pruebas ocultas."""
    lines = source.split("\n")
    try:
        begin = next(i for i, line in enumerate(lines) if BEGIN_HIDDEN in line) + 1
        end = next(i for i, line in enumerate(lines) if END_HIDDEN in line) + 1
    except StopIteration:
        return None
    return begin, end


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
                out["evalue"] = HIDDEN_FAILED
            out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        if hidden:
            lines = cell.source.split("\n")
            lines[hidden[0] - 1: hidden[1]] = ["# (pruebas ocultas: no se muestran)"]
            cell.source = "\n".join(lines)
        return cell, resources


# --------------------------------------------------------------------------
# Manipulación de las comprobaciones: detección estática en el código entregado
# --------------------------------------------------------------------------

#: Módulos que el código del estudiante no tiene por qué modificar: si le asigna
#: o borra atributos (``np.any = ...``, ``helpers.checks.check_close = ...``,
#: ``numpy.testing.assert_allclose = ...``, ``sys.modules[...] = ...``), las
#: comprobaciones de las celdas de evaluación dejan de ser confiables.
PROTECTED_MODULES = ("numpy", "helpers", "builtins", "sys", "tensorflow", "keras",
                     "math", "unittest", "pytest", "importlib", "nbgrader")


def _module_aliases(tree: Any) -> dict[str, str]:
    import ast

    aliases = {"__builtins__": "builtins"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def _root_name(node: Any) -> str | None:
    import ast

    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def find_tampering(sources: list[str]) -> list[str]:
    """Líneas del código entregado que modifican módulos protegidos.

    Analiza el código (no lo ejecuta). Devuelve descripciones en castellano;
    vacía si no hay nada sospechoso. Asignar a ``plt.rcParams`` o a
    ``os.environ`` no cuenta: no son módulos protegidos.
    """
    import ast

    trees = []
    for src in sources:
        lines = [ln for ln in src.split("\n") if not ln.lstrip().startswith(("%", "!"))]
        try:
            trees.append((src, ast.parse("\n".join(lines))))
        except SyntaxError:
            continue
    aliases: dict[str, str] = {}
    for _src, tree in trees:
        aliases.update(_module_aliases(tree))

    def protected(name: str | None) -> str | None:
        if name is None or name not in aliases:
            return None
        module = aliases[name]
        return module if module.split(".")[0] in PROTECTED_MODULES else None

    found: list[str] = []
    for _src, tree in trees:
        for node in ast.walk(tree):
            targets: list[Any] = []
            if isinstance(node, (ast.Assign, ast.Delete)):
                targets = list(node.targets)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            for t in targets:
                if isinstance(t, (ast.Attribute, ast.Subscript)):
                    module = protected(_root_name(t))
                    if module:
                        found.append(f"línea «{ast.unparse(t)} = …»: modifica el módulo {module}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("setattr", "delattr") and node.args):
                module = protected(_root_name(node.args[0]))
                if module:
                    found.append(f"«{ast.unparse(node)}»: modifica el módulo {module}")
    return found
