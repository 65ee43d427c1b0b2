"""Agregar una lección como dice CONTRIBUTING.md: ``make new-lesson`` y ``make fix-ids``.

La prueba de punta a punta crea una lección en una **tarea nueva** dentro de una
copia del repositorio (los archivos que ve git, sin ``.venv``) y muestra que
todo el circuito la toma sin configurar nada: ``make release`` la genera,
``make autograde`` le pone 100 % a la solución y 0 % a la versión en blanco,
nbval la ejecuta y ``tests/test_wrong_answers.py`` la encuentra y ve que sus
respuestas equivocadas pierden puntos.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import ROOT, grading
from tools.authoring import new_lesson, release
from tools.authoring import nb as nbtools

VENV = Path(sys.executable).parent.parent   # el entorno de esta corrida, para `make`
ASSIGNMENT, NAME = "clase_nueva", "01_ejemplo"
REL = f"{ASSIGNMENT}/{NAME}.ipynb"


def _make(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``make`` en la copia con el entorno de esta corrida (sin reinstalar nada)."""
    stamp = VENV / ".installed"
    return subprocess.run(["make", "--no-print-directory", f"VENV={VENV}", "-o", str(stamp),
                           *args], cwd=copy, capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------------------
# make fix-ids
# ---------------------------------------------------------------------------
def _lesson_like_jupyterlab(path: Path, grade_ids: tuple[str, ...] = ("f", "test_f")) -> None:
    """Un notebook como lo deja JupyterLab: celdas de nbgrader con ids al azar."""
    solution = nbtools.solution("f", "def f(x):\n    ### BEGIN SOLUTION\n    return x\n"
                                     "    ### END SOLUTION")
    tests = nbtools.tests("test_f", "assert f(1) == 1", 1)
    solution.metadata.nbgrader.grade_id, tests.metadata.nbgrader.grade_id = grade_ids
    solution.id, tests.id = "3f2b9c1e-7d4a-4c3b", "a81c0f5e-22d9-4b6e"
    nbtools.write(nbtools.new_notebook([nbtools.md("titulo", "# L"), nbtools.setup("x = 1"),
                                        solution, tests]), path)


def test_fix_ids_sets_ids_from_grade_ids_and_is_idempotent(tmp_path: Path, capsys) -> None:
    path = tmp_path / "leccion.ipynb"
    _lesson_like_jupyterlab(path)
    assert nbtools.main(["fix-ids", str(path)]) == 0
    out = capsys.readouterr().out
    assert "'3f2b9c1e-7d4a-4c3b' → 'f'" in out and "'a81c0f5e-22d9-4b6e' → 'test_f'" in out
    assert "2 ids cambiados en 1 de 1" in out
    nb = nbformat.read(str(path), as_version=4)
    assert [c.id for c in nb.cells] == ["titulo", "setup", "f", "test_f"]
    nbformat.validate(nb)
    fixed = path.read_bytes()
    assert nbtools.main(["fix-ids", str(path)]) == 0
    assert "ya coinciden" in capsys.readouterr().out
    assert path.read_bytes() == fixed


def test_fix_ids_refuses_duplicate_grade_ids_and_changes_nothing(tmp_path: Path, capsys) -> None:
    good, bad = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    _lesson_like_jupyterlab(good)
    _lesson_like_jupyterlab(bad, grade_ids=("f", "f"))
    before = {p: p.read_bytes() for p in (good, bad)}
    assert nbtools.main(["fix-ids", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "no se cambió nada" in err and str(bad) in err
    assert "grade_id 'f' repetido en las celdas 2 y 3" in err
    assert {p: p.read_bytes() for p in (good, bad)} == before


def test_fix_ids_refuses_a_grade_id_taken_by_another_cell(tmp_path: Path) -> None:
    path = tmp_path / "a.ipynb"
    _lesson_like_jupyterlab(path, grade_ids=("titulo", "test_f"))
    with pytest.raises(nbtools.GradeIdError, match="celda 0 .* ya tiene el id 'titulo'"):
        nbtools.fix_ids_in([path])


def test_committed_lessons_need_no_id_fix() -> None:
    for path in nbtools.source_notebooks(ROOT):
        assert nbtools.fix_ids(nbformat.read(str(path), as_version=4), str(path)) == []


# ---------------------------------------------------------------------------
# make new-lesson: validación sin copiar el repositorio
# ---------------------------------------------------------------------------
@pytest.fixture()
def bare_root(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "tests" / "wrong").mkdir(parents=True)
    return tmp_path


def test_new_lesson_never_overwrites(bare_root: Path) -> None:
    nb_path, wrong_path = new_lesson.create("clase_x", "03_algo", root=bare_root)
    written = {p: p.read_bytes() for p in (nb_path, wrong_path)}
    with pytest.raises(new_lesson.LessonExists, match="03_algo.ipynb ya existe"):
        new_lesson.create("clase_x", "03_algo", root=bare_root)
    with pytest.raises(new_lesson.LessonExists, match="ya tiene la lección 03: 03_algo.ipynb"):
        new_lesson.create("clase_x", "03_otra", root=bare_root)
    # El módulo de respuestas equivocadas es de la lección: tampoco se pisa.
    with pytest.raises(new_lesson.LessonExists, match="l03_algo.py ya existe"):
        new_lesson.create("clase_y", "03_algo", root=bare_root)
    assert not (bare_root / "solutions" / "clase_y").exists()
    assert {p: p.read_bytes() for p in written} == written


@pytest.mark.parametrize("assignment,name", [("Clase", "01_a"), ("clase", "1_a"),
                                             ("clase", "01-a"), ("clase", "01_"), ("", "01_a")])
def test_new_lesson_rejects_bad_names(bare_root: Path, assignment: str, name: str) -> None:
    with pytest.raises(ValueError, match="inválid"):
        new_lesson.create(assignment, name, root=bare_root)
    assert not (bare_root / "solutions").exists()


# ---------------------------------------------------------------------------
# De punta a punta, en una copia del repositorio
# ---------------------------------------------------------------------------
def _copy_repository(dest: Path) -> Path:
    """Los archivos que ve git (sin ``.venv``). ``helpers/`` es un enlace: es el
    paquete instalado (modo editable) que importan los kernels, y el corrector
    compara su código con el del curso."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout
    (dest / "helpers").symlink_to(ROOT / "helpers", target_is_directory=True)
    for rel in filter(None, files.split("\0")):
        src = ROOT / rel
        if src.is_file() and not rel.startswith((".venv/", "helpers/")):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """Copia del repositorio con ``make new-lesson`` y ``make release`` hechos."""
    copy = _copy_repository(tmp_path_factory.mktemp("repo"))
    proc = _make(copy, "new-lesson", f"ASSIGNMENT={ASSIGNMENT}", f"NAME={NAME}",
                 "TITLE=Vectores one-hot")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Creados solutions/{REL} y tests/wrong/l01_ejemplo.py" in proc.stdout
    assert "make fix-ids" in proc.stdout and "make release" in proc.stdout
    # tools.authoring.release pone la raíz de la copia en el PYTHONPATH de su nbgrader.
    release.release(copy)
    return copy


pytestmark_e2e = pytest.mark.xdist_group("scaffold")


@pytestmark_e2e
def test_scaffold_has_the_anatomy_and_is_in_sync(course: Path) -> None:
    import test_release

    source = course / "solutions" / REL
    test_release.test_source_notebook_anatomy(source)
    nb = nbformat.read(str(source), as_version=4)
    assert [c.id for c in nb.cells[:3]] == ["titulo", "colab", "setup"]
    assert nb.cells[0].source.startswith("# Lección 1 — Vectores one-hot\n")
    graded = {c.id: c.metadata.nbgrader for c in nb.cells if "nbgrader" in c.metadata}
    assert graded["one_hot"]["solution"] and "### BEGIN SOLUTION" in nb.cells[4].source
    assert graded["test_one_hot"]["points"] > 0
    assert '"""' in nb.cells[4].source.split("### BEGIN SOLUTION")[0], "sin docstring visible"
    assert "from helpers.checks import" in nb.cells[5].source
    assert "keras" not in nb.cells[2].source and "tensorflow" not in nb.cells[2].source
    assert nb.cells[-1].id == "resumen"
    # Badge y celda de Colab: lo mismo que escribe make release.
    assert not release.sync_notebook(source, release.repo_url(course), f"notebooks/{REL}")
    # make fix-ids no tiene nada que cambiar; make new-lesson no pisa la lección.
    proc = _make(course, "fix-ids")
    assert proc.returncode == 0 and "ya coinciden" in proc.stdout, proc.stdout + proc.stderr
    before = source.read_bytes()
    proc = _make(course, "new-lesson", f"ASSIGNMENT={ASSIGNMENT}", f"NAME={NAME}")
    assert proc.returncode != 0 and "ya existe" in proc.stderr
    assert source.read_bytes() == before


@pytestmark_e2e
def test_release_generates_the_student_version(course: Path) -> None:
    student = course / "notebooks" / REL
    text = student.read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "out[np.arange"):
        assert marker not in text
    assert "raise NotImplementedError()" in text
    nb = nbformat.read(str(student), as_version=4)
    assert release.badge_line(release.repo_url(course), f"notebooks/{REL}") in nb.cells[0].source
    readme = (course / "README.md").read_text(encoding="utf-8")
    assert f"[`{REL}`](notebooks/{REL}) | Lección 1 — Vectores one-hot |" in readme


@pytestmark_e2e
def test_autograde_gives_full_marks_to_the_solution_and_zero_to_the_blank(course: Path) -> None:
    from nbgrader.api import Gradebook

    for student, nb_path in [("docente", course / "solutions" / REL),
                             ("en_blanco", course / "notebooks" / REL)]:
        target = course / "submitted" / student / ASSIGNMENT / nb_path.name
        target.parent.mkdir(parents=True)
        shutil.copy(nb_path, target)
    assert grading.main(["--course", str(course)]) == 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s: (gb.find_submission_notebook(NAME, ASSIGNMENT, s).score,
                      gb.find_submission_notebook(NAME, ASSIGNMENT, s).max_score)
                  for s in ("docente", "en_blanco")}
    assert scores == {"docente": (2.0, 2.0), "en_blanco": (0.0, 2.0)}


@pytestmark_e2e
def test_nbval_and_wrong_answers_run_on_it(course: Path) -> None:
    """En la copia: nbval ejecuta la lección, y ``tests/test_wrong_answers.py``
    (que recorre todas las tareas) encuentra su módulo de respuestas equivocadas."""
    env = {**os.environ, "COURSE_FAST": "1", "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", f"solutions/{REL}", "tests/test_wrong_answers.py",
         "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=120", "-p", "no:cacheprovider",
         "-p", "no:randomly", "-v", "-k", "01_ejemplo or one_hot or every_graded_function"],
        cwd=course, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    passed = set(re.findall(r"^(.+?) PASSED", proc.stdout, re.M))
    nbval = {p for p in passed if p.startswith(f"solutions/{ASSIGNMENT}/{NAME}::ipynb::Cell ")}
    assert len(nbval) == 5, proc.stdout   # las cinco celdas de código
    expected = {
        f"tests/test_wrong_answers.py::test_solution_passes_its_grade_cells[{REL}-one_hot]",
        "tests/test_wrong_answers.py::test_every_graded_function_has_wrong_answers",
        *(f"tests/test_wrong_answers.py::test_wrong_answer_loses_points[one_hot-{w}]"
          for w in ("one_hot_transpuesta", "one_hot_corrida", "one_hot_vocabulario_observado")),
    }
    assert expected <= passed, proc.stdout


def test_new_lesson_states_its_time(bare_root: Path) -> None:
    """El título dice los minutos que calcula tools.authoring.estimate_time (como exige
    tests/test_lesson_times.py para cada lección)."""
    from tools.authoring import estimate_time

    nb_path, _ = new_lesson.create("clase_x", "04_tiempo", root=bare_root)
    assert estimate_time.stated(nb_path) is not None
    assert estimate_time.stated(nb_path) == estimate_time.computed(nb_path)
