"""Ejecución que sobrevive a un kernel que ignora la interrupción; las
comprobaciones se recargan antes de cada celda de evaluación."""

from __future__ import annotations

from nbclient.exceptions import CellTimeoutError
from nbclient.util import ensure_async, run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute

KERNEL_RESTARTED = "KernelRestarted"

# Se ejecuta (en silencio) antes de cada celda de evaluación: la celda vuelve a
# importar del disco las comprobaciones y todo lo que usan.
#
# Se descargan *todos* los módulos ``helpers.*``, no solo los que importan las
# celdas de evaluación (``helpers.checks``, ``helpers.challenge``): esos
# recalculan resultados con otros módulos (``helpers.lm``, ``helpers.ngram``…),
# y un parche a uno de ellos que el análisis estático no vea
# (``__import__('helpers.lm').lm.__dict__[...] = ...``) engañaría a una
# comprobación recargada que los reutilizara. El costo: las clases de helpers
# se vuelven a crear, y un objeto creado antes por la lección (su ``Vocab``) no
# es instancia de la clase nueva. Por eso las comparaciones de tipo de helpers
# no usan ``isinstance`` a secas sino ``helpers._classes.same_class`` (módulo y
# nombre de la clase), que sobrevive a la recarga sin aceptar otra clase.
RESET_HELPERS = (
    "import sys as _nbg_sys\n"
    "for _nbg_m in [m for m in list(_nbg_sys.modules) if m == 'helpers' or m.startswith('helpers.')]:\n"
    "    del _nbg_sys.modules[_nbg_m]\n"
    "del _nbg_sys\n"
)


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
