"""Cada celda de evaluación pasa con la solución y falla con respuestas equivocadas.

Las implementaciones equivocadas viven en ``tests/wrong/``; las celdas se
ejecutan con :mod:`notebook_harness` (setup + soluciones + la celda), lo que
además prueba que las celdas de evaluación son autocontenidas.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import wrong
from notebook_harness import SOLUTIONS, GradedNotebook

MODULES = [importlib.import_module(f"wrong.{m.name}")
           for m in pkgutil.iter_modules(wrong.__path__)]

SOLUTION_CASES = sorted({(m.NOTEBOOK, fn) for m in MODULES for fn in m.WRONG})
WRONG_CASES = [
    pytest.param(m.NOTEBOOK, fn, impl, id=f"{fn}-{impl.__name__}")
    for m in MODULES for fn, impls in m.WRONG.items() for impl in impls
]

_cache: dict[str, GradedNotebook] = {}


def _nb(relpath: str) -> GradedNotebook:
    if relpath not in _cache:
        _cache[relpath] = GradedNotebook.load(relpath)
    return _cache[relpath]


@pytest.mark.parametrize("relpath,function_name", SOLUTION_CASES)
def test_solution_passes_its_grade_cells(relpath: str, function_name: str) -> None:
    results = _nb(relpath).run(function_name)
    failed = {gid: repr(exc) for gid, exc in results.items() if exc is not None}
    assert not failed, f"la solución falla sus propias pruebas: {failed}"


@pytest.mark.parametrize("relpath,function_name,impl", WRONG_CASES)
def test_wrong_answer_loses_points(relpath: str, function_name: str, impl) -> None:
    assert impl.__doc__, f"{impl.__name__}: documentá qué error comete"
    results = _nb(relpath).run(function_name, impl)
    assert any(exc is not None for exc in results.values()), (
        f"{impl.__name__} ({impl.__doc__.strip()}) pasa todas las celdas de "
        f"evaluación de {function_name}: las pruebas no la detectan"
    )


def _graded_functions(relpath: str) -> list[str]:
    import nbformat

    nb = nbformat.read(str(SOLUTIONS / relpath), as_version=4)
    return [m["grade_id"] for cell in nb.cells
            if cell.cell_type == "code"
            and (m := cell.get("metadata", {}).get("nbgrader", {})).get("solution")
            and not m.get("grade")]


def test_every_graded_function_has_wrong_answers() -> None:
    """Toda función evaluada de todas las tareas tiene implementaciones equivocadas.

    El desafío no evalúa funciones sino el estado del notebook del estudiante
    (su corpus, su modelo, su tabla): sus comprobaciones viven en
    ``helpers.challenge`` y se prueban con entradas equivocadas en
    ``tests/test_challenge.py`` (``wrong.NOT_FUNCTIONS``)."""
    lessons = [p.relative_to(SOLUTIONS).as_posix() for p in sorted(SOLUTIONS.glob("*/*.ipynb"))]
    assert lessons, "no hay notebooks en solutions/"
    stale = sorted(set(wrong.NOT_FUNCTIONS) - set(lessons))
    assert not stale, f"wrong.NOT_FUNCTIONS nombra notebooks que no existen: {stale}"
    unknown = sorted({m.NOTEBOOK for m in MODULES} - set(lessons))
    assert not unknown, f"módulos de tests/wrong/ con NOTEBOOK inexistente: {unknown}"
    covered = {(m.NOTEBOOK, fn) for m in MODULES for fn in m.WRONG}
    missing = [f"{rel}:{fn}" for rel in lessons if rel not in wrong.NOT_FUNCTIONS
               for fn in _graded_functions(rel) if (rel, fn) not in covered]
    assert not missing, f"funciones evaluadas sin respuestas equivocadas en tests/wrong/: {missing}"
