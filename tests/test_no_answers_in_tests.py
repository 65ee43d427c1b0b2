"""Ninguna celda de prueba que lee el estudiante contiene la respuesta (issue #16).

Se revisa cada celda de prueba de cada notebook **como la ve el estudiante**
(sin la parte oculta, que nbgrader borra al publicar y la devolución no muestra),
evaluada o de un ejercicio opcional:

* no define una función con el nombre de un ejercicio, ni una «referencia»
  (``_ref…``, ``…referencia…``);
* no contiene el código de ninguna solución: ninguna racha de tokens de la
  celda coincide con la mayor parte de la región ``### BEGIN/END SOLUTION`` de
  un ejercicio (con los nombres de las variables cambiados también cuenta: se
  comparan tokens con los identificadores normalizados).

Los valores esperados salen de casos fijos, de propiedades o de un cálculo
independiente (Keras, TensorFlow, otro algoritmo), nunca de una copia de la
respuesta.
"""

from __future__ import annotations

import ast
import io
import keyword
import tokenize
from difflib import SequenceMatcher
from pathlib import Path

import nbformat
import pytest
from notebook_harness import SOLUTIONS, student_source

NOTEBOOKS = sorted(SOLUTIONS.glob("*/*.ipynb"))
# Una solución de menos tokens que esto es una expresión corta (``max(d, key=d.get)``)
# que una prueba puede necesitar escribir por otro motivo: no se compara.
MIN_TOKENS = 12
# Qué parte de la solución puede aparecer seguida en una celda de prueba.
MAX_SHARED = 0.6


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_test_cell(cell) -> bool:
    m = _meta(cell)
    return cell.cell_type == "code" and bool(m) and str(m.get("grade_id", "")).startswith("test_") \
        and not m.get("solution")


def _solution_region(source: str) -> str:
    lines, inside = [], False
    for line in source.splitlines():
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside:
            lines.append(line.strip())
    return "\n".join(lines)


def _tokens(code: str) -> list[str]:
    """Tokens de Python con los identificadores que no son palabras clave ni
    atributos reemplazados por ``ID`` (renombrar variables no esconde una copia)."""
    out: list[str] = []
    prev = ""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                            tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            text = tok.string
            if tok.type == tokenize.NAME and not keyword.iskeyword(text) and prev != ".":
                text = "ID"
            out.append(text)
            prev = tok.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def _exercises(nb) -> dict[str, str]:
    """grade_id de cada celda de solución (el nombre de su función) -> región resuelta."""
    return {_meta(c)["grade_id"]: _solution_region(c.source) for c in nb.cells
            if c.cell_type == "code" and _meta(c).get("solution")}


def _defined_names(code: str) -> list[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    return [n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _shared_fraction(solution: list[str], cell: list[str]) -> float:
    matcher = SequenceMatcher(None, solution, cell, autojunk=False)
    longest = matcher.find_longest_match(0, len(solution), 0, len(cell))
    return longest.size / len(solution)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_test_cells_contain_no_answer(path: Path) -> None:
    nb = nbformat.read(str(path), as_version=4)
    exercises = _exercises(nb)
    problems = []
    for cell in nb.cells:
        if not _is_test_cell(cell):
            continue
        gid = _meta(cell)["grade_id"]
        visible = student_source(cell.source)
        for name in _defined_names(visible):
            if name in exercises or name.lower().startswith("_ref") or "referencia" in name.lower():
                problems.append(f"{gid}: define `{name}` en la parte visible")
        cell_tokens = _tokens(visible)
        for exercise, region in exercises.items():
            sol = _tokens(region)
            if len(sol) >= MIN_TOKENS and _shared_fraction(sol, cell_tokens) > MAX_SHARED:
                problems.append(f"{gid}: contiene el código de la solución de `{exercise}`")
    assert not problems, "respuestas a la vista en celdas de prueba:\n" + "\n".join(problems)


def test_the_scan_finds_a_copied_answer() -> None:
    """Control: una celda de prueba que copia la solución (con otros nombres) se detecta."""
    region = ("acumulada = np.cumsum(probs, axis=-1)\n"
              "u = rng.random(probs.shape[:-1] + (1,)) * acumulada[..., -1:]\n"
              "return np.sum(acumulada <= u, axis=-1)")
    copied = ("def _muestra(p, g):\n    F = np.cumsum(p, axis=-1)\n"
              "    v = g.random(p.shape[:-1] + (1,)) * F[..., -1:]\n"
              "    return np.sum(F <= v, axis=-1)\n")
    honest = "check_close(sample_next(logits, 1.0, rng).mean(), 0.5, atol=0.05)"
    sol = _tokens(region)
    assert _shared_fraction(sol, _tokens(copied)) > MAX_SHARED
    assert _shared_fraction(sol, _tokens(honest)) < MAX_SHARED
    assert _defined_names("def _ref_top_k(x):\n    return x") == ["_ref_top_k"]
