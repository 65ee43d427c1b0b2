"""Extensiones de nbgrader que cierran agujeros de la corrección automática.

Las registra ``nbgrader_config.py``; no las usa el estudiante. Requieren nbgrader
(extra ``lab``).

* :class:`OverwriteCellsById`: si el estudiante (o su editor) borró la metadata
  de nbgrader de una celda, la celda se reconoce por su ``id`` (en la fuente, el
  id de cada celda de nbgrader es su ``grade_id``) o, si tampoco tiene id (un
  notebook guardado por Colab), por su contenido y su posición; después se
  restaura desde la gradebook como cualquier otra.
* :class:`StripPersonalData`: la copia corregida y la devolución no llevan la
  metadata que agregan Colab y otros editores (nombre, ``userId`` y foto del
  usuario en ``executionInfo``, entre otras).
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

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
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


_DEFINES = re.compile(r"^\s*(?:async\s+)?(?:def|class)\s+(\w+)", re.M)


def _lines(text: str) -> list[str]:
    return [ln.rstrip() for ln in text.strip().split("\n") if ln.strip()]


def without_hidden_tests(source: str) -> str:
    """El código de una celda de evaluación sin el bloque de pruebas ocultas."""
    rng = hidden_line_range(source)
    if rng is None:
        return source
    lines = source.split("\n")
    return "\n".join(lines[:rng[0] - 1] + lines[rng[1]:])


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
                           tuple(_DEFINES.findall(c.source)) if name in solution else ())

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


# --------------------------------------------------------------------------
# Datos personales que guardan Colab y otros editores
# --------------------------------------------------------------------------

#: Metadata de celda que se conserva: la de nbgrader y la de presentación de
#: Jupyter. Todo lo demás se borra (Colab: ``executionInfo`` con nombre,
#: ``userId`` y foto del usuario, ``id``, ``outputId``, ``colab``).
KEEP_CELL_METADATA = frozenset({"nbgrader", "tags", "jupyter", "editable", "deletable",
                                "collapsed", "scrolled", "slideshow"})
#: Metadata del notebook que se conserva (``colab``, ``accelerator``,
#: ``widgets`` y cualquier otra cosa se borran). ``rnn_grading`` tampoco: la
#: escribe la corrección, no el estudiante.
KEEP_NOTEBOOK_METADATA = frozenset({"kernelspec", "language_info"})


class StripPersonalData(NbGraderPreprocessor):
    """Borra la metadata que no es de Jupyter ni de nbgrader (lista blanca).

    Va en el pipeline de saneamiento de ``autograde`` (la copia corregida ya
    no tiene datos personales) y en ``generate_feedback`` (por si la copia se
    corrigió antes). Las salidas de la entrega no llegan a la copia corregida:
    ``ClearOutput`` las borra antes.
    """

    def preprocess(self, nb: NotebookNode, resources: Any) -> tuple[NotebookNode, Any]:
        for key in list(nb.metadata):
            if key not in KEEP_NOTEBOOK_METADATA:
                del nb.metadata[key]
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int
                        ) -> tuple[NotebookNode, Any]:
        for key in list(cell.get("metadata", {})):
            if key not in KEEP_CELL_METADATA:
                del cell.metadata[key]
        return cell, resources


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


def _parse(sources: list[str]) -> list[Any]:
    """Árboles de las celdas que son Python (sin líneas mágicas ``%``/``!``)."""
    import ast

    trees = []
    for src in sources:
        lines = [ln for ln in src.split("\n") if not ln.lstrip().startswith(("%", "!"))]
        try:
            trees.append(ast.parse("\n".join(lines)))
        except SyntaxError:
            continue
    return trees


def _modified(node: Any) -> list[tuple[Any, str]]:
    """Lo que modifica un nodo: (objeto cuya raíz importa, cómo mostrarlo)."""
    import ast

    if isinstance(node, (ast.Assign, ast.Delete)):
        targets = list(node.targets)
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
          and node.func.id in ("setattr", "delattr") and node.args):
        return [(node.args[0], f"«{ast.unparse(node)}»")]
    else:
        return []
    return [(t, f"línea «{ast.unparse(t)} = …»") for t in targets
            if isinstance(t, (ast.Attribute, ast.Subscript))]


def find_tampering(sources: list[str]) -> list[str]:
    """Líneas del código entregado que modifican módulos protegidos.

    Analiza el código (no lo ejecuta). Devuelve descripciones en castellano;
    vacía si no hay nada sospechoso. Asignar a ``plt.rcParams`` o a
    ``os.environ`` no cuenta: no son módulos protegidos.
    """
    import ast

    trees = _parse(sources)
    aliases: dict[str, str] = {}
    for tree in trees:
        aliases.update(_module_aliases(tree))

    found: list[str] = []
    for tree in trees:
        for node in ast.walk(tree):
            for target, shown in _modified(node):
                module = aliases.get(_root_name(target) or "")
                if module and module.split(".")[0] in PROTECTED_MODULES:
                    found.append(f"{shown}: modifica el módulo {module}")
    return found
