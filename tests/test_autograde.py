"""El autocorrector de punta a punta, con nbgrader de verdad, en un curso temporal.

* La solución del docente obtiene el 100 % y la versión en blanco (la de
  ``notebooks/``, commiteada) el 0 %, notebook por notebook.
* Sobre esos notebooks ya ejecutados se aplica el ``Validator`` de nbgrader
  (sin volver a ejecutarlos): la solución valida, la versión en blanco no pasa
  ninguna prueba (``invert=True``).
* Una entrega que edita o borra celdas de evaluación se corrige con las pruebas
  originales; un bucle infinito en una función lo corta el timeout y el resto
  del notebook se corrige igual.

Cada caso arma su propio curso (gradebook propia) para poder correr en paralelo.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from tools import grading, release

ROOT = release.ROOT
SOURCES = release.source_notebooks()
LESSON_01 = ROOT / "solutions" / "clase_rnn" / "01_celda_elman.ipynb"


def _rel(path: Path) -> str:
    return "/".join(path.parts[-2:])


def _course(tmp_path: Path, assignment: str) -> Path:
    course = tmp_path / "curso"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / assignment, course / "solutions" / assignment)
    grading.ensure_gradebook(course, assignment)
    return course


def _submit(course: Path, student: str, assignment: str, nb: nbformat.NotebookNode,
            name: str) -> None:
    target = course / "submitted" / student / assignment
    target.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target / name))


def _grade(course: Path, assignment: str, student: str, *extra: str) -> None:
    proc = grading.autograde(course, assignment, student, *extra)
    assert proc.returncode == 0, f"nbgrader autograde falló:\n{proc.stdout}\n{proc.stderr}"


def _notebook_score(course: Path, assignment: str, student: str, notebook: str
                    ) -> tuple[float, float]:
    rows = [r for r in grading.collect(course)
            if (r.student, r.assignment, r.notebook) == (student, assignment, notebook)]
    assert len(rows) == 1, f"sin puntaje para {student}/{notebook}: {rows}"
    return rows[0].score, rows[0].max_score


def _cell_scores(course: Path, assignment: str, student: str, notebook: str
                 ) -> dict[str, float | None]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(notebook, assignment, student)
        return {g.name: g.score for g in nb.grades}


def _validate(path: Path, *, invert: bool) -> dict:
    """El Validator de nbgrader sobre un notebook YA ejecutado por autograde."""
    from nbgrader.preprocessors import CheckCellMetadata
    from nbgrader.validator import Validator

    validator = Validator(invert=invert)
    validator.preprocessors = [CheckCellMetadata]  # sin ClearOutput ni Execute
    return validator.validate(str(path))


def _graded(nb: nbformat.NotebookNode) -> tuple[list[str], dict[str, list[str]], dict[str, float]]:
    """(funciones evaluadas en orden, celdas de evaluación de cada una, puntos por celda)."""
    functions, cells, points = [], {}, {}
    for cell in nb.cells:
        m = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and m.get("solution") and not m.get("grade"):
            functions.append(m["grade_id"])
        if m.get("grade"):
            points[m["grade_id"]] = float(m["points"])
    for f in functions:
        cells[f] = [g for g in points if g == f"test_{f}" or g.startswith(f"test_{f}__")]
    return functions, cells, points


@pytest.mark.parametrize("kind", ["solucion", "en_blanco"])
@pytest.mark.parametrize("source", SOURCES, ids=_rel)
def test_autograde_solution_full_and_blank_zero(tmp_path: Path, source: Path, kind: str) -> None:
    assignment, name = source.parent.name, source.name
    course = _course(tmp_path, assignment)
    submission = source if kind == "solucion" else ROOT / "notebooks" / assignment / name
    _submit(course, kind, assignment, nbformat.read(str(submission), as_version=4), name)
    _grade(course, assignment, kind)
    score, max_score = _notebook_score(course, assignment, kind, source.stem)
    assert max_score > 0
    autograded = course / "autograded" / kind / assignment / name
    if kind == "solucion":
        assert score == max_score, f"la solución obtuvo {score}/{max_score}"
        assert _validate(autograded, invert=False) == {}
    else:
        assert score == 0, f"la versión en blanco obtuvo {score}/{max_score}"
        assert _validate(autograded, invert=True) == {}


def _lesson01_attack(tmp_path: Path, student: str, edit) -> tuple[dict, dict, list, dict]:
    assignment, name = "clase_rnn", LESSON_01.name
    course = _course(tmp_path, assignment)
    nb = nbformat.read(str(LESSON_01), as_version=4)
    functions, cells, points = _graded(nb)
    assert len(functions) >= 2
    nb = edit(nb, functions, cells)
    _submit(course, student, assignment, nb, name)
    extra = ("--Execute.timeout=30",) if student == "bucle" else ()
    _grade(course, assignment, student, *extra)
    return _cell_scores(course, assignment, student, LESSON_01.stem), cells, functions, points


def _stub(function_name: str) -> str:
    return f"def {function_name}(*args, **kwargs):\n    raise NotImplementedError()\n"


def test_edited_or_deleted_grade_cells_are_graded_with_the_original_tests(tmp_path: Path) -> None:
    """Las dos últimas funciones quedan sin resolver; a la última le reemplazan
    sus pruebas por `pass` y a la anteúltima le borran las celdas de evaluación.
    Si nbgrader usara lo entregado, la última sumaría puntos y la otra no
    tendría nota: con las pruebas originales, ambas valen 0."""

    def edit(nb, functions, cells):
        last, before = functions[-1], functions[-2]
        kept = []
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in (last, before):
                cell.source = _stub(gid)
            if gid in cells[last]:
                cell.source = "pass"
            if gid in cells[before]:
                continue
            kept.append(cell)
        nb.cells = kept
        return nb

    scores, cells, functions, points = _lesson01_attack(tmp_path, "tramposo", edit)
    attacked = set(cells[functions[-1]]) | set(cells[functions[-2]])
    for gid, pts in points.items():
        expected = 0.0 if gid in attacked else pts
        assert scores.get(gid) == expected, f"{gid}: se esperaba {expected}, nbgrader dio {scores.get(gid)}"


def test_infinite_loop_is_cut_by_the_timeout_and_the_rest_is_graded(tmp_path: Path) -> None:
    def edit(nb, functions, cells):
        last = functions[-1]
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == last:
                cell.source += f"\n\n\ndef {last}(*args, **kwargs):\n    while True:\n        pass\n"
        return nb

    scores, cells, functions, points = _lesson01_attack(tmp_path, "bucle", edit)
    for gid, pts in points.items():
        expected = 0.0 if gid in cells[functions[-1]] else pts
        assert scores.get(gid) == expected, f"{gid}: se esperaba {expected}, nbgrader dio {scores.get(gid)}"


def test_make_autograde_prints_a_table_and_writes_csv(tmp_path: Path, capsys) -> None:
    """`make autograde` (tools.grading.main) sobre un curso con dos entregas."""
    assignment = "clase_rnn"
    course = tmp_path / "curso"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / assignment, course / "solutions" / assignment)
    # Solo la lección 01 (el resto figura como no entregado): alcanza para la tabla.
    _submit(course, "ana", assignment, nbformat.read(str(LESSON_01), as_version=4), LESSON_01.name)
    blank = ROOT / "notebooks" / assignment / LESSON_01.name
    _submit(course, "beto", assignment, nbformat.read(str(blank), as_version=4), LESSON_01.name)
    assert grading.main(["--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert "ana" in out and "beto" in out and LESSON_01.stem in out
    csv_text = (course / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert csv_text[0] == "student,assignment,notebook,score,max_score"
    rows = {line.split(",")[0]: line.split(",") for line in csv_text[1:]
            if LESSON_01.stem in line}
    assert float(rows["ana"][3]) == float(rows["ana"][4]) > 0
    assert float(rows["beto"][3]) == 0
