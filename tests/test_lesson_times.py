"""El título de cada lección dice cuántos minutos lleva, y son los que calcula
``tools/authoring/estimate_time.py`` (así no se desactualizan cuando cambia la lección)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tools.authoring import estimate_time as et
from tools.authoring import nb as nbtools

LESSONS = et.lessons()


def test_there_are_lessons() -> None:
    assert len(LESSONS) >= 6, f"se esperaban al menos 6 lecciones en solutions/, hay {len(LESSONS)}"


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_title_states_the_computed_minutes(path: Path) -> None:
    computed = et.computed(path)
    stated = et.stated(path)
    expected = et.STATEMENT_TEMPLATE.format(core=computed[0], exercises=computed[1],
                                            optional=computed[2])
    assert stated == computed, (
        f"{path.name}: el título dice (central, ejercicios, opcional) = {stated} minutos y "
        f"tools/authoring/estimate_time.py calcula {computed}. El párrafo del título tiene que decir: "
        f"«{expected}»")


def _lesson(tmp_path: Path, cells: list[nbformat.NotebookNode]) -> Path:
    nb = nbformat.v4.new_notebook(cells=cells)
    path = tmp_path / "01_prueba.ipynb"
    nbtools.write(nb, path)
    return path


def test_optional_section_runs_until_a_heading_of_the_same_or_higher_level(tmp_path: Path) -> None:
    path = _lesson(tmp_path, [
        nbtools.md("a", "# Título\n\nuno dos"),                               # 4 palabras
        nbtools.code("colab", "print('colab')"),                              # no cuenta
        nbtools.md("b", "## 1. Central\n\ntres"),                             # 4
        nbtools.code("c", "x = 1"),
        nbtools.md("d", "## 2. Para profundizar (opcional): extra\n\n**Para pensar.** ¿a?"),
        nbtools.code("e", "y = 2"),
        nbtools.md("f", "### Un subtítulo\n\ncuatro cinco"),                  # sigue opcional
        nbtools.code("g", "z = 3"),
        nbtools.md("h", "## 3. Central otra vez\n\n**Para pensar.** ¿b?"),   # 8 palabras
    ])
    est = et.estimate(path)
    assert (est.core.words, est.core.cells, est.core.questions) == (16, 1, 1)
    assert (est.optional.words, est.optional.cells, est.optional.questions) == (14, 2, 1)


def test_details_are_not_core_and_optional_details_count_as_optional(tmp_path: Path) -> None:
    path = _lesson(tmp_path, [
        nbtools.md("a", "uno dos\n\n<details><summary>Respuesta</summary>\n\nmuchas palabras acá "
                        "</details>\n\n<details><summary>Para profundizar (opcional): cotas</summary>"
                        "\n\ntres cuatro\n\n</details>"),
    ])
    est = et.estimate(path)
    assert est.core.words == 2
    assert est.optional.words == len("<details><summary>Para profundizar (opcional): cotas</summary>"
                                     " tres cuatro </details>".split())


def test_exercise_minutes_come_from_the_written_lines(tmp_path: Path) -> None:
    long = "\n".join(f"    a{i} = {i}" for i in range(4))
    path = _lesson(tmp_path, [
        nbtools.solution("f", "def f(x):\n    \"\"\"Doc.\"\"\"\n    ### BEGIN SOLUTION\n"
                              "    # un comentario\n\n    return x\n    ### END SOLUTION"),
        nbtools.tests("test_f", "assert f(1) == 1", 1),
        nbtools.solution("g", f"def g():\n    ### BEGIN SOLUTION\n{long}\n    return a0\n"
                              "    ### END SOLUTION"),
    ])
    est = et.estimate(path)
    assert est.core.exercises == {"f": 1, "g": 5}
    assert est.core.cells == 0, "ni la solución ni la evaluación son celdas de demostración"
    assert est.core.exercise_minutes() == et.MIN_MINUTES_PER_EXERCISE + 5 * et.MINUTES_PER_LINE


def test_a_title_without_the_statement_is_reported(tmp_path: Path) -> None:
    path = _lesson(tmp_path, [nbtools.md("titulo", "# Lección 1 — Algo\n\n**Tiempo.** Unos 40 minutos.")])
    assert et.stated(path) is None
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    cells[0]["source"] = et.STATEMENT_TEMPLATE.format(core=40, exercises=25, optional=5)
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), "cells": cells}),
                    encoding="utf-8")
    assert et.stated(path) == (40, 25, 5)


def test_rounding() -> None:
    assert [et.round_minutes(m) for m in (0, 0.4, 2.4, 7.4, 7.6, 118.3)] == [0, 5, 5, 5, 10, 120]
