"""Cada celda de evaluación pasa con la solución y falla con respuestas equivocadas.

Las implementaciones equivocadas viven en ``tests/wrong/``; las celdas se
ejecutan con :mod:`notebook_harness` (setup + soluciones + la celda), lo que
además prueba que las celdas de evaluación son autocontenidas.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import replace

import pytest
import wrong
from notebook_harness import SOLUTIONS, GradedNotebook, defines_function

from tools import ROOT

NOTEBOOKS = ROOT / "notebooks"

MODULES = [importlib.import_module(f"wrong.{m.name}")
           for m in pkgutil.iter_modules(wrong.__path__)]

SOLUTION_CASES = sorted({(m.NOTEBOOK, fn) for m in MODULES for fn in m.WRONG})
# Las cuatro pruebas de una respuesta equivocada van al mismo proceso de xdist
# (``--dist loadgroup``): comparten las corridas de sus celdas (:func:`_run`).
WRONG_CASES = [
    pytest.param(m.NOTEBOOK, fn, impl, id=f"{fn}-{impl.__name__}",
                 marks=pytest.mark.xdist_group(f"wrong-{m.__name__}-{impl.__name__}"))
    for m in MODULES for fn, impls in m.WRONG.items() for impl in impls
]

_cache: dict[str, GradedNotebook] = {}
_runs: dict[tuple[str, str, str, str], dict[str, BaseException | None]] = {}


def _nb(relpath: str) -> GradedNotebook:
    if relpath not in _cache:
        _cache[relpath] = GradedNotebook.load(relpath)
    return _cache[relpath]


def _run(relpath: str, function_name: str, impl, mode: str) -> dict[str, BaseException | None]:
    """Las celdas de ``function_name`` con ``impl``, corridas una sola vez por
    proceso: ``"full"`` (como al corregir), ``"student"`` (sin la parte oculta)
    o ``"dependents"`` (las celdas de los ejercicios que la usan). Las
    excepciones se guardan sin su traceback (solo importa su mensaje)."""
    key = (relpath, function_name, impl.__name__, mode)
    if key not in _runs:
        nb = _nb(relpath)
        if mode == "dependents":
            results = nb.run_dependents(function_name, impl)
        else:
            results = nb.run(function_name, impl, student=mode == "student")
        for exc in results.values():
            if exc is not None:
                exc.__traceback__ = None
        _runs[key] = results
    return _runs[key]


@pytest.mark.parametrize("relpath,function_name", SOLUTION_CASES)
def test_solution_passes_its_grade_cells(relpath: str, function_name: str) -> None:
    results = _nb(relpath).run(function_name)
    failed = {gid: repr(exc) for gid, exc in results.items() if exc is not None}
    assert not failed, f"la solución falla sus propias pruebas: {failed}"


def _graded_cells(relpath: str, function_name: str) -> list[str]:
    """Las celdas de evaluación con puntos de una función (las de los
    ejercicios opcionales no tienen)."""
    return [gid for gid, (_src, points) in _nb(relpath).cells_for(function_name).items()
            if points > 0]


@pytest.mark.parametrize("relpath,function_name",
                         [case for case in SOLUTION_CASES if _graded_cells(*case)])
def test_the_skeleton_loses_every_point(relpath: str, function_name: str) -> None:
    """La versión en blanco (el esqueleto de ``notebooks/``, que lanza
    ``NotImplementedError``) pierde cada celda de evaluación con puntos de su
    función, como al corregir: con la parte oculta y con los esqueletos de las
    demás funciones. (Las pruebas de los ejercicios opcionales, sin puntos,
    toleran el esqueleto a propósito: no entran.)"""
    nb = _nb(relpath)
    blank = GradedNotebook.load(relpath, root=NOTEBOOKS)
    assert set(blank.solutions) == set(nb.solutions), "la versión del estudiante no está al día"
    graded = _graded_cells(relpath, function_name)
    # La celda setup es la misma: su espacio de nombres ya armado se reusa.
    results = replace(nb, solutions=blank.solutions, _setup_ns=nb._setup_namespace()).run_cells(
        graded, function_name, None)
    passed = [gid for gid, exc in results.items() if exc is None]
    assert not passed, f"el esqueleto de {function_name} gana los puntos de {passed}"


@pytest.mark.parametrize("relpath,function_name,impl", WRONG_CASES)
def test_wrong_answer_loses_points(relpath: str, function_name: str, impl) -> None:
    assert impl.__doc__, f"{impl.__name__}: documentá qué error comete"
    results = _run(relpath, function_name, impl, "full")
    assert any(exc is not None for exc in results.values()), (
        f"{impl.__name__} ({impl.__doc__.strip()}) pasa todas las celdas de "
        f"evaluación de {function_name}: las pruebas no la detectan"
    )


@pytest.mark.parametrize("relpath,function_name,impl", WRONG_CASES)
def test_wrong_answer_fails_a_visible_check(relpath: str, function_name: str, impl) -> None:
    """Todo requisito que pide la consigna tiene una prueba visible: cada respuesta
    equivocada falla ya en la versión del estudiante (sin la parte oculta), salvo
    las que el módulo declara en ``HIDDEN_ONLY`` con su razón (solo otro tamaño
    o valor la delata)."""
    module = next(m for m in MODULES if m.NOTEBOOK == relpath and impl in m.WRONG[function_name])
    results = _run(relpath, function_name, impl, "student")
    if impl.__name__ in getattr(module, "HIDDEN_ONLY", {}):
        return
    assert any(exc is not None for exc in results.values()), (
        f"{impl.__name__} ({impl.__doc__.strip()}) pasa todas las pruebas visibles de "
        f"{function_name}: el estudiante no se entera hasta la nota. Agregá un caso visible "
        f"(o declaralo en HIDDEN_ONLY de {module.__name__} con la razón)"
    )


@pytest.mark.parametrize("relpath,function_name,impl", WRONG_CASES)
def test_hidden_failures_name_their_case(relpath: str, function_name: str, impl) -> None:
    """Si una celda pasa su parte visible y falla en la oculta, el mensaje nombra
    el caso (``checks.case``): la devolución lo muestra sin mostrar el código."""
    from helpers.checks import CASE_PREFIX

    full = _run(relpath, function_name, impl, "full")
    visible = _run(relpath, function_name, impl, "student")
    for gid, exc in full.items():
        if exc is not None and visible[gid] is None:
            assert str(exc).startswith(CASE_PREFIX), (
                f"{impl.__name__}: la parte oculta de {gid} falla sin nombrar el caso "
                f"(usá checks.case(...)): {exc!r}")


@pytest.mark.parametrize("relpath,function_name,impl", WRONG_CASES)
def test_wrong_answer_costs_only_its_exercise(relpath: str, function_name: str, impl) -> None:
    """Un error en el ejercicio *k* cuesta solo los puntos de *k*: las celdas de
    evaluación de los ejercicios que usan *k* (``checks.graded_alone``) pasan con
    la respuesta equivocada, salvo las que el módulo declara en ``CASCADES``
    (celda -> por qué el contrato de ese ejercicio incluye a *k*)."""
    module = next(m for m in MODULES if m.NOTEBOOK == relpath and impl in m.WRONG[function_name])
    allowed = getattr(module, "CASCADES", {})
    results = _run(relpath, function_name, impl, "dependents")
    cascaded = {gid: repr(exc) for gid, exc in results.items()
                if exc is not None and gid not in allowed}
    assert not cascaded, (
        f"{impl.__name__} ({impl.__doc__.strip()}), un error en {function_name}, también "
        f"cuesta puntos en otras celdas: {cascaded}")


def _graded_functions(relpath: str) -> list[str]:
    import nbformat

    nb = nbformat.read(str(SOLUTIONS / relpath), as_version=4)
    # Las celdas de solución que no definen una función (el estado del notebook,
    # como compilar y entrenar el modelo de la lección 04) no tienen respuestas
    # equivocadas que reemplazar: las corrige la celda que usa ese estado.
    return [m["grade_id"] for cell in nb.cells
            if cell.cell_type == "code"
            and (m := cell.get("metadata", {}).get("nbgrader", {})).get("solution")
            and not m.get("grade") and defines_function(cell.source, m["grade_id"])]


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
