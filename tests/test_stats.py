"""Estadísticas de la clase (``python -m tools.stats``, issue #19).

* Una clase simulada de 200 estudiantes con habilidad latente conocida y
  ejercicios de dificultad y discriminación conocidas (modelo logístico de dos
  parámetros): cada estudiante resuelve cada función con la solución, con una
  de sus respuestas equivocadas de ``tests/wrong/`` o no la hace. Cada
  (función, respuesta equivocada) se corre **una vez** en el proceso con
  :mod:`notebook_harness` (su resultado y su mensaje reales, celda por celda);
  con eso se arman la gradebook y las salidas de error de los notebooks
  corregidos de los 200, sin kernels. El informe recupera el orden de la
  facilidad y de la discriminación (Spearman ≥ 0,8 contra los valores de la
  población, estimados con 20 000 estudiantes del mismo modelo) y los errores
  sembrados son los grupos más grandes, con la cuenta exacta.
* Casos degenerados: un estudiante, todos con el puntaje máximo, un ejercicio
  que nadie hizo, celdas manuales sin nota, notebooks sin entregar, resultados
  leídos del ``tar.gz`` guardado.
* Una clase de verdad (la lección 01 corregida por ``python -m tools.grading``)
  y después ``python -m tools.stats``: en ``tests/test_grading_class.py``, que
  ya corrige esa clase.

Las funciones, sus celdas y sus respuestas equivocadas se descubren solas: los
mensajes y los casos de una lección pueden cambiar sin tocar estas pruebas.
"""

from __future__ import annotations

import csv
import importlib
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import wrong
from notebook_harness import GradedNotebook

from tools import ROOT, env_with_tools
from tools.stats import analyse, load, normalise
from tools.stats import mistakes as m
from tools.stats import simulate as sim

# Sus fixtures de módulo (modelos, corpus, clases simuladas) se arman una sola vez:
# todas las pruebas del módulo van al mismo proceso de xdist (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("stats")

#: Lecciones baratas de correr en el proceso (solo NumPy/Keras chico).
LESSONS = ("clase_rnn/01_", "clase_rnn/02_", "clase_rnn/03_")
N_STUDENTS = 200
WRONG_PER_FUNCTION = 4    # las primeras que pierden puntos
BLANK = 0.15              # de los que no la resuelven, cuántos no la hacen
TOP_SHARE = 0.7           # de los que se equivocan, cuántos con el error sembrado
A = "clase_sim"


def spearman(x, y) -> float:
    rx = np.argsort(np.argsort(x)).astype(float)
    ry = np.argsort(np.argsort(y)).astype(float)
    return float(np.corrcoef(rx, ry)[0, 1])


# --------------------------------------------------------------- los resultados reales


def _outcome(exc: BaseException | None) -> tuple[str, str] | None:
    return None if exc is None else (type(exc).__name__, str(exc))


@pytest.fixture(scope="module")
def bank() -> dict:
    return build_bank()


def build_bank() -> dict:
    """Por función: sus celdas con puntos y, por respuesta, el resultado de cada celda."""
    modules = [importlib.import_module(f"wrong.{mi.name}") for mi in pkgutil.iter_modules(wrong.__path__)]
    functions = []
    for mod in sorted((mm for mm in modules if mm.NOTEBOOK.startswith(LESSONS)), key=lambda mm: mm.NOTEBOOK):
        nb = GradedNotebook.load(mod.NOTEBOOK)
        stem = Path(mod.NOTEBOOK).stem
        for fn, impls in mod.WRONG.items():
            cells = [gid for gid, (_src, pts) in nb.cells_for(fn).items() if pts > 0]
            if not cells:
                continue
            answers = []
            for impl in impls:
                res = nb.run(fn, impl)
                if any(res[g] is not None for g in cells):
                    answers.append((impl.__name__, {g: _outcome(res[g]) for g in cells}))
                if len(answers) == WRONG_PER_FUNCTION:
                    break
            functions.append({"name": fn, "notebook": stem, "cells": cells, "answers": answers,
                              "points": {g: nb.grade_cells[g][1] for g in cells}})
    assert len(functions) >= 5, "hacen falta varias funciones evaluadas para ordenar ítems"
    return {"functions": functions}


def _plant(functions: list[dict], seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    k = len(functions)
    # Pendientes muy separadas (de 0,05 a 20) y dificultades moderadas: la
    # discriminación de la población depende sobre todo de la pendiente, con
    # valores lo bastante separados para que 200 estudiantes los ordenen (con
    # 20 semillas de la muestra, Spearman mínimo 0,87; con la facilidad, 0,94).
    difficulty = rng.permutation(np.linspace(-1.0, 1.0, k))
    slope = rng.permutation(np.geomspace(0.05, 20.0, k))
    weights = np.array([TOP_SHARE] + [(1 - TOP_SHARE) / 2 ** (i + 1) for i in range(WRONG_PER_FUNCTION)])
    return difficulty, slope, weights


def _choices(functions, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Qué respuesta da cada estudiante a cada función: -1 la solución, -2 en
    blanco, i la respuesta equivocada i."""
    difficulty, slope, weights = _plant(functions)
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(n)
    out = np.full((n, len(functions)), -1)
    for f, fn in enumerate(functions):
        p = 1 / (1 + np.exp(-slope[f] * (theta - difficulty[f])))
        wrong_ = rng.random(n) >= p
        w = weights[: len(fn["answers"])] / weights[: len(fn["answers"])].sum()
        pick = rng.choice(len(fn["answers"]), size=n, p=w)
        blank = rng.random(n) < BLANK
        out[wrong_, f] = np.where(blank[wrong_], -2, pick[wrong_])
    return theta, out


def _cell_outcome(fn: dict, choice: int, cell: str) -> tuple[str, str] | None:
    if choice == -1:
        return None
    if choice == -2:
        return ("NotImplementedError", "")
    return fn["answers"][choice][1][cell]


def _score_matrix(functions, choices) -> tuple[list[tuple[str, str]], np.ndarray]:
    cols = [(fn["notebook"], c) for fn in functions for c in fn["cells"]]
    scores = np.zeros((choices.shape[0], len(cols)))
    j = 0
    for f, fn in enumerate(functions):
        for c in fn["cells"]:
            ok = np.array([_cell_outcome(fn, int(ch), c) is None for ch in choices[:, f]])
            scores[:, j] = ok * fn["points"][c]
            j += 1
    return cols, scores


def _jitter(message: str, rng: np.random.Generator) -> str:
    """Otros números en el mismo mensaje: lo que cambia de un estudiante a otro."""
    return re.sub(r"\d+\.\d+(?:e[-+]?\d+)?",
                  lambda mm: f"{float(mm.group()) * (1 + 0.05 * rng.random()):.6g}", message)


@pytest.fixture(scope="module")
def simulated(bank, tmp_path_factory) -> dict:
    functions = bank["functions"]
    theta, choices = _choices(functions, N_STUDENTS, seed=1)
    cols, _ = _score_matrix(functions, choices)
    rng = np.random.default_rng(2)
    subs = {}
    for i in range(N_STUDENTS):
        scores, errors = {}, {}
        for f, fn in enumerate(functions):
            for c in fn["cells"]:
                out = _cell_outcome(fn, int(choices[i, f]), c)
                scores[(fn["notebook"], c)] = fn["points"][c] if out is None else 0.0
                if out is not None:
                    errors[(fn["notebook"], c)] = (out[0], _jitter(out[1], rng))
        subs[f"e{i:03d}"] = sim.Submission(scores, errors, seconds=float(5 + rng.random() * 10))
    course = tmp_path_factory.mktemp("sim") / "curso"
    cells = [sim.Cell(nb, c, fn["points"][c]) for fn in functions for nb, c in
             ((fn["notebook"], c) for c in fn["cells"])]
    sim.build(course, A, cells, subs)
    # Los valores de la población: 20 000 estudiantes del mismo modelo.
    _, big = _choices(functions, 20_000, seed=3)
    _, s = _score_matrix(functions, big)
    total = s.sum(axis=1)
    facility = s.mean(axis=0) / np.array([fn["points"][c] for fn in functions for c in fn["cells"]])
    discrimination = np.array([np.corrcoef(s[:, j], total - s[:, j])[0, 1] for j in range(s.shape[1])])
    return {"course": course, "cols": cols, "choices": choices, "functions": functions,
            "facility": facility, "discrimination": discrimination,
            "analysis": analyse(load(course, A))}


def _stats_by_cell(a) -> dict[tuple[str, str], object]:
    return {(item.notebook, item.cell): s for item, s in zip(a.data.items, a.items, strict=True)}


def test_recovers_facility_and_discrimination(simulated) -> None:
    by = _stats_by_cell(simulated["analysis"])
    got = [by[c] for c in simulated["cols"]]
    fac = [s.facility for s in got]
    dis = [s.discrimination for s in got]
    assert None not in fac and None not in dis
    rf = spearman(fac, simulated["facility"])
    rd = spearman(dis, simulated["discrimination"])
    assert rf >= 0.8, f"facilidad: Spearman {rf:.2f} contra la sembrada"
    assert rd >= 0.8, f"discriminación: Spearman {rd:.2f} contra la sembrada"


def test_planted_mistakes_are_the_largest_groups(simulated) -> None:
    a = simulated["analysis"]
    label = {(it.notebook, it.cell): it.label for it in a.data.items}
    students = a.data.students
    checked = 0
    for f, fn in enumerate(simulated["functions"]):
        chose = simulated["choices"][:, f]
        top = {students[i] for i in np.flatnonzero(chose == 0)}
        for c in fn["cells"]:
            planted = fn["answers"][0][1][c]
            if planted is None or not top:
                continue
            groups = a.mistakes[label[(fn["notebook"], c)]]
            mine = next(g for g in groups if top & set(g.students))
            assert top <= set(g for g in mine.students), f"{c}: el error sembrado quedó partido"
            assert mine is groups[0], f"{c}: el error sembrado no es el grupo más grande"
            # Exactamente los que dieron una respuesta con el mismo mensaje (normalizado).
            same = {students[i] for i in range(len(students)) if chose[i] >= 0
                    and (o := fn["answers"][chose[i]][1][c]) is not None and o[0] == planted[0]
                    and normalise(o[1]) == normalise(planted[1])}
            assert mine.count == len(same), (c, mine.count, len(same))
            blank = {students[i] for i in np.flatnonzero(chose == -2)}
            nd = [g for g in groups if g.kind == m.NOT_DONE]
            assert len(nd) == 1 and set(nd[0].students) == blank
            checked += 1
    assert checked >= 5


def test_counts_and_quintiles(simulated) -> None:
    a = simulated["analysis"]
    for s in a.items:
        n_fail = sum(s.counts.get(k, 0) for k in (m.FAILED, m.ERROR, m.NOT_DONE))
        assert n_fail == round(N_STUDENTS * (1 - s.full))
        assert s.quintiles[0] is not None and s.quintiles[-1] is not None
    # Con discriminación positiva clara, el quintil más alto resuelve más que el más bajo.
    strong = [s for s in a.items if (s.discrimination or 0) > 0.3]
    assert strong and all(s.quintiles[-1] > s.quintiles[0] for s in strong)
    assert a.alpha is not None and 0 < a.alpha < 1


def test_report_files(simulated, tmp_path) -> None:
    out = tmp_path / "informe"
    proc = subprocess.run([sys.executable, "-m", "tools.stats", "--course", str(simulated["course"]),
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          env=env_with_tools({**os.environ, "MPLBACKEND": "Agg"}), timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "errores más frecuentes" in proc.stdout and "alfa de Cronbach" in proc.stdout
    page = (out / A / "index.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 3
    assert "<script" not in page and "http" not in page.replace("http://", "")  # autocontenida
    assert "estudiantes)" in page
    with (out / A / "ejercicios.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(simulated["cols"])
    with (out / A / "estudiantes.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == N_STUDENTS


# --------------------------------------------------------------- normalización


def test_normalise_merges_numbers_and_keeps_case_and_name() -> None:
    msg = "dW_hh: los valores no coinciden. Error absoluto máximo {} (tolerancia 1e-05)."
    a = "Caso «lote 1 (T = 0)»: " + msg.format("0.31")
    b = "Caso «lote 1 (T = 0)»: " + msg.format("2.5e-3")
    c = "Caso «otro tamaño»: " + msg.format("0.31")
    d = msg.format("0.31").replace("dW_hh", "dW_hx")
    assert normalise(a) == normalise(b)
    assert normalise(a) != normalise(c)
    assert normalise(a.split(": ", 1)[1]) != normalise(d)
    assert normalise("h: la forma no coincide. Se esperaba (2, 5) y se obtuvo (5, 2).") == \
        normalise("h: la forma no coincide. Se esperaba (3, 4) y se obtuvo (4, 3).")
    assert normalise("tokens: se esperaba 'gato' y se obtuvo 'perro'.") == \
        normalise("tokens: se esperaba 'sol' y se obtuvo 'luna'.")
    hint = " (Esta prueba usa tu `elman_step`: si su propia prueba falla, arreglá eso primero.)"
    assert normalise(d + hint) == normalise(d)


def test_classify() -> None:
    assert m.classify(None) == m.OK
    assert m.classify("AssertionError", "h: la forma no coincide.") == m.FAILED
    assert m.classify("AssertionError", "Caso «x»: tu función lanzó ValueError: no") == m.ERROR
    assert m.classify("ValueError", "shapes (2,3) and (4,5) not aligned") == m.ERROR
    assert m.classify("NotImplementedError", "") == m.NOT_DONE
    assert m.classify("CellTimeoutError", "") == m.TIMEOUT
    groups = m.group_failures([("c", "s1", "ValueError", "shapes (2,3) and (4,5) not aligned\nmás"),
                               ("c", "s2", "ValueError", "shapes (7,3) and (4,9) not aligned")])
    assert len(groups["c"]) == 1 and groups["c"][0].count == 2
    assert groups["c"][0].representative.startswith("ValueError: shapes (")
    assert "\n" not in groups["c"][0].representative


# --------------------------------------------------------------- casos degenerados

CELLS = [sim.Cell("01_a", "test_f", 2.0), sim.Cell("01_a", "test_g", 1.0),
         sim.Cell("02_b", "test_h", 3.0), sim.Cell("02_b", "respuesta", 2.0, manual=True)]


def _full(overrides: dict | None = None) -> dict:
    out: dict = {(c.notebook, c.grade_id): c.points for c in CELLS}
    out.update(overrides or {})
    return out


def _build(tmp_path: Path, subs: dict, **kw):
    sim.build(tmp_path / "curso", "t", CELLS, subs, **kw)
    return analyse(load(tmp_path / "curso", "t"))


def test_one_student(tmp_path) -> None:
    a = _build(tmp_path, {"solo": sim.Submission(_full())})
    assert a.alpha is None
    assert all(s.discrimination is None and s.facility == 1.0 for s in a.items)
    from tools.stats import report

    assert report.item_row(a.items[0])[8] == report.NA


def test_everyone_full_marks(tmp_path) -> None:
    a = _build(tmp_path, {f"e{i}": sim.Submission(_full()) for i in range(6)})
    assert a.alpha is None and not a.mistakes
    for s in a.items:
        assert (s.facility, s.full, s.zero, s.discrimination) == (1.0, 1.0, 0.0, None)
        assert "casi todos la resuelven" in s.flags
    assert all(q == 1.0 for q in a.items[0].quintiles)


def test_exercise_nobody_attempted(tmp_path) -> None:
    subs = {}
    for i in range(8):
        scores = _full({("01_a", "test_g"): 0.0})
        if i % 2:
            scores[("01_a", "test_f")] = 0.0
        errors = {("01_a", "test_g"): ("NotImplementedError", "")}
        subs[f"e{i}"] = sim.Submission(scores, errors)
    a = _build(tmp_path, subs)
    g = _stats_by_cell(a)[("01_a", "test_g")]
    assert (g.facility, g.zero, g.discrimination) == (0.0, 1.0, None)
    assert g.counts[m.NOT_DONE] == 8 and "casi nadie la resuelve" in g.flags
    [group] = a.mistakes["01:test_g"]
    assert group.kind == m.NOT_DONE and group.count == 8


def test_manual_cells_not_yet_graded(tmp_path) -> None:
    subs = {f"e{i}": sim.Submission(_full({("02_b", "respuesta"): None if i < 3 else 2.0}))
            for i in range(5)}
    subs["e4"].scores[("01_a", "test_f")] = 0.0
    a = _build(tmp_path, subs)
    r = _stats_by_cell(a)[("02_b", "respuesta")]
    assert r.n == 2 and r.counts[m.PENDING] == 3
    assert "3 pendientes de nota manual" in r.flags
    subs = {"e0": sim.Submission(_full({("02_b", "respuesta"): None}))}
    a = _build(tmp_path / "todos", subs)
    r = _stats_by_cell(a)[("02_b", "respuesta")]
    assert r.n == 0 and r.mean is None and r.facility is None


def test_missing_notebook_absent_student_and_tar(tmp_path) -> None:
    subs = {f"e{i}": sim.Submission(_full(), seconds=float(i)) for i in range(4)}
    subs["e1"] = sim.Submission(_full({("02_b", "test_h"): 0.0, ("02_b", "respuesta"): 0.0}),
                                notebooks={"01_a"})
    subs["e2"] = sim.Submission(_full({("01_a", "test_f"): 0.0}),
                                errors={("01_a", "test_f"): ("AssertionError", "h: mal 1.5")})
    subs["solo_un_txt"] = sim.Submission(_full({k: 0.0 for k in _full()}), notebooks=set())
    a = _build(tmp_path, subs, tar=True, folders=False, absent=["nunca_entregó"])
    # Sin ningún notebook entregado no entra en el análisis (solo cuentan los intentos).
    assert a.data.absent == ["nunca_entregó", "solo_un_txt"] and len(a.data.students) == 4
    nb = {s.name: s for s in a.notebooks}
    assert nb["02_b"].counts[m.MISSING] == 1 and nb["01_a"].counts.get(m.MISSING, 0) == 0
    assert _stats_by_cell(a)[("02_b", "test_h")].counts[m.MISSING] == 1
    # Los errores salen del tar.gz guardado (no hay carpeta autograded/).
    assert [g.students for g in a.mistakes["01:test_f"]] == [["e2"]]
    assert a.data.seconds["e3"] == 3.0


def test_merge_table_and_state_dir_match_grading() -> None:
    from tools import grading
    from tools.grading import gradebook_merge
    from tools.stats import data

    assert data.MERGE_TABLE == gradebook_merge.STATE
    assert data.STATE_DIR == grading.STATE_DIR
