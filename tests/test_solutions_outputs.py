"""Las salidas commiteadas de ``solutions/`` (las guarda ``make solutions``) son
las que ve un docente en GitHub: cada celda que dibuja tiene su imagen, ninguna
salida tiene mensajes de TensorFlow (arranque de C++, ``E0000 …``), y las
imágenes no hacen crecer el repositorio de más.

Se leen los archivos tal como están: si falla, corré ``make solutions``.
"""

from __future__ import annotations

import ast
import base64
import re
from pathlib import Path

import nbformat
import pytest
from output_checks import tf_noise_line

from tools import ROOT

NOTEBOOKS = sorted((ROOT / "solutions").glob("*/*.ipynb"))

# Todas las imágenes de solutions/ juntas (base64, lo que ocupa en git). Hoy
# son ~25 figuras de ~20–60 KB (100 dpi, backend inline).
MAX_IMAGE_TEXT = 3 * 1024 * 1024


_DRAW_PREFIX = re.compile(r"^(plot|draw)_")


def _called_names(nodes: list[ast.stmt]) -> tuple[set[str], bool]:
    """Nombres de funciones llamadas en el código de nivel superior (sin entrar en
    ``def``/``class``) y si se llama algo de ``plt``."""
    names: set[str] = set()
    uses_plt = False

    def visit(node: ast.AST) -> None:
        nonlocal uses_plt
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                names.add(f.id)
            elif isinstance(f, ast.Attribute):
                base = f.value
                while isinstance(base, ast.Attribute):
                    base = base.value
                if isinstance(base, ast.Name) and base.id == "plt":
                    uses_plt = True
                names.add(f.attr)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for n in nodes:
        visit(n)
    return names, uses_plt


def _helper_drawers(tree: ast.Module) -> set[str]:
    """Nombres importados de ``helpers.plots``, o ``plot_*``/``draw_*`` de los helpers."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
            names |= {a.asname or a.name for a in node.names
                      if node.module == "helpers.plots" or _DRAW_PREFIX.match(a.name)}
    return names


def drawing_cells(nb: nbformat.NotebookNode) -> list[str]:
    """Ids de las celdas de código que dibujan al ejecutarse: llaman a ``plt.*``,
    a una función de ``helpers.plots`` o ``plot_*``/``draw_*`` de los helpers,
    o a una función definida antes en el notebook que hace alguna de esas."""
    drawers: set[str] = set()
    ids: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        drawers |= _helper_drawers(tree)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner, plt_inside = _called_names(node.body)
                if plt_inside or inner & drawers:
                    drawers.add(node.name)
        called, uses_plt = _called_names(tree.body)
        if uses_plt or called & drawers:
            ids.append(cell.get("id"))
    return ids


def images(cell: nbformat.NotebookNode) -> list[str]:
    return [o["data"]["image/png"] for o in cell.get("outputs", [])
            if "image/png" in o.get("data", {})]


def tf_noise(nb: nbformat.NotebookNode) -> list[str]:
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            line = tf_noise_line(text)
            if line is not None:
                found.append(f"{cell.get('id')}: {line[:140]}")
    return found


def _rel(p: Path) -> str:
    return p.relative_to(ROOT / "solutions").as_posix()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_rel)
def test_every_drawing_cell_saved_its_figure(path: Path) -> None:
    nb = nbformat.read(str(path), as_version=4)
    by_id = {c.get("id"): c for c in nb.cells}
    drawing = drawing_cells(nb)
    missing = [i for i in drawing if not images(by_id[i])]
    assert not missing, (f"{_rel(path)}: celdas que dibujan sin imagen guardada: {missing} "
                         "(make solutions, sin MPLBACKEND=Agg)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_rel)
def test_no_tensorflow_log_lines_in_outputs(path: Path) -> None:
    noise = tf_noise(nbformat.read(str(path), as_version=4))
    assert not noise, (f"{_rel(path)}: mensajes de TensorFlow en las salidas (¿la celda setup "
                       "importa keras o tensorflow antes que helpers?):\n" + "\n".join(noise))


def test_images_do_not_bloat_the_repository() -> None:
    total = 0
    count = 0
    for path in NOTEBOOKS:
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            for png in images(cell):
                raw = base64.b64decode(png)
                assert raw.startswith(b"\x89PNG"), f"{_rel(path)} {cell.get('id')}: no es un PNG"
                total += len(png)
                count += 1
    assert count, "solutions/ no tiene ninguna imagen (make solutions)"
    assert total <= MAX_IMAGE_TEXT, (
        f"{count} imágenes ocupan {total / 2**20:.1f} MiB en solutions/ "
        f"(máximo {MAX_IMAGE_TEXT / 2**20:.0f} MiB)")


# --- Que la detección de arriba sirva (no depende de las salidas commiteadas) ---

def _nb(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s, id=f"c{i}") for i, s in enumerate(sources)]
    return nb


def test_drawing_cells_are_detected() -> None:
    nb = _nb(
        "import matplotlib.pyplot as plt\nfrom helpers.plots import draw_unrolled_rnn",
        "fig, ax = plt.subplots()\nax.plot([1, 2])",                    # c1: plt
        "draw_unrolled_rnn(3)",                                         # c2: helpers.plots
        "def grafico(x):\n    plt.plot(x)\n    plt.show()",              # c3: solo define
        "grafico([1, 2])",                                              # c4: llama a quien dibuja
        "from helpers.decoding import plot_search_tree\nx = 1",          # c5: importa, no dibuja
        "plot_search_tree(arbol)",                                      # c6
        "print(sum([1, 2]))",                                           # c7
    )
    assert drawing_cells(nb) == ["c1", "c2", "c4", "c6"]


def test_tf_noise_is_detected() -> None:
    nb = _nb("x = 1")
    nb.cells[0].outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=(
            "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
            "I0000 00:00:1795785458.577511   31136 port.cc:153] oneDNN custom operations are on.\n")),
        nbformat.v4.new_output("stream", name="stderr", text=(
            "2026-11-29 14:52:21.866632: I tensorflow/core/util/port.cc:153] oneDNN custom\n")),
        nbformat.v4.new_output("stream", name="stdout", text="pérdida 0.5 (E0000 no es esto)\n"),
    ]
    assert len(tf_noise(nb)) == 2
