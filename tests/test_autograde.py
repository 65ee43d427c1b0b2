"""El autocorrector de punta a punta, con nbgrader de verdad y por el mismo
camino que ``make autograde`` (``tools.grading.main``), en cursos temporales.

* Por notebook, la lección resuelta como la entrega un estudiante desde Colab
  en el peor caso: guardada en GitHub (``Copia_de_…``, con la insignia y el
  usuario de GitHub) y sin **nada** de la metadata de nbgrader (editores que
  la borran): se reconocen sus celdas por contenido y obtiene el 100 % del
  código (las respuestas escritas quedan pendientes); la tabla y el CSV lo
  muestran. Todas las lecciones en un mismo curso, entregadas por un mismo
  estudiante y corregidas en una sola corrida, como en la clase. Sobre el
  notebook ya ejecutado se aplica el ``Validator`` de nbgrader (sin volver a
  ejecutarlo). Que la versión en blanco pierda cada
  punto lo comprueban ``tests/test_wrong_answers.py`` (cada celda de
  evaluación, en el proceso) y ``tests/test_grading_class.py`` (con nbgrader).
* Ataques (lección 01), dos entregas que los juntan; cada celda de evaluación
  debe valer exactamente lo esperado:
  - celdas de evaluación editadas o borradas → se corrigen con las originales;
  - metadata de nbgrader borrada (celda ``setup`` y una de evaluación) → se
    restaura por el id de la celda;
  - bucle infinito, también dentro de un ``except:`` que se traga la
    interrupción → se corta esa celda y el resto se corrige igual;
  - comprobaciones pisadas (``def check_close``, ``helpers.checks.x = …``) →
    no ganan nada; modificar ``numpy`` → el notebook queda en 0 para revisión;
  - la devolución HTML no muestra el código de las pruebas ocultas.
* La copia corregida y la devolución de la solución (todos los puntos) no
  muestran ni un error, ni el usuario de Colab o de GitHub.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import shutil
from pathlib import Path

import nbformat
import pytest
from colab_files import PEOPLE, colabify, student_copy
from output_checks import html_output_problems, notebook_output_problems

from tools import grading
from tools.authoring import release
from tools.autograding import CONTENT_NOTE

ROOT = release.ROOT
SOURCES = release.source_notebooks()
LESSON_01 = ROOT / "solutions" / "clase_rnn" / "01_celda_elman.ipynb"


def _rel(path: Path) -> str:
    return "/".join(path.parts[-2:])


def _course(tmp_path: Path, source: Path) -> Path:
    """Un curso temporal con solo ese notebook en su tarea (nbgrader procesa
    los notebooks de la tarea uno por uno: los otros no cambian nada acá)."""
    course = tmp_path / "curso"
    (course / "solutions" / source.parent.name).mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copy(source, course / "solutions" / source.parent.name / source.name)
    return course


def _submit(course: Path, student: str, assignment: str, nb: nbformat.NotebookNode,
            name: str) -> None:
    target = course / "submitted" / student / assignment
    target.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target / name))


def _run_make_autograde(course: Path, capsys) -> tuple[str, dict[str, dict[str, str]]]:
    """`make autograde` sobre el curso: devuelve la salida y las filas del CSV."""
    code = grading.main(["--course", str(course)])
    out = capsys.readouterr().out
    assert code == 0, f"make autograde falló:\n{out}"
    return out, _grades(course)


def _grades(course: Path) -> dict[tuple[str, str], dict[str, str]]:
    """Las filas de ``grades.csv`` por (estudiante, notebook)."""
    with (course / "grades.csv").open(encoding="utf-8") as fh:
        return {(r["student"], r["notebook"]): r for r in csv.DictReader(fh)}


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


GITHUB_USER = "valen-quiroga-77"


@pytest.fixture(scope="module")
def solutions_from_colab(tmp_path_factory) -> dict:
    """El curso con todas sus tareas y un estudiante que entrega cada lección
    resuelta como la guarda en GitHub desde Colab (``Copia_de_…``, sin metadata
    de nbgrader), corregido con una sola corrida de ``make autograde`` (un
    trabajo por tarea, como en la clase) y una de ``make feedback`` (una
    devolución por tarea)."""
    course = tmp_path_factory.mktemp("soluciones") / "curso"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    copies = {}
    for source in SOURCES:
        assignment, name = source.parent.name, source.name
        (course / "solutions" / assignment).mkdir(parents=True, exist_ok=True)
        shutil.copy(source, course / "solutions" / assignment / name)
        target = course / "submitted" / "solucion" / assignment
        target.mkdir(parents=True, exist_ok=True)
        copies[source] = student_copy(source)
        (target / f"Copia_de_{name}").write_text(
            colabify(copies[source], PEOPLE["nombre"], strip_nbgrader=True, name=name,
                     github_user=GITHUB_USER), encoding="utf-8")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = grading.main(["--course", str(course), "--no-progress"])
    out = buf.getvalue()
    assert code == 0, f"make autograde falló:\n{out}"
    rows = _grades(course)
    buf = io.StringIO()  # las devoluciones, como `make feedback`
    with contextlib.redirect_stdout(buf):
        feedback = grading.main(["--course", str(course), "--feedback", "--no-progress"])
    return {"course": course, "out": out, "rows": rows, "copies": copies,
            "feedback": (feedback, buf.getvalue())}


@pytest.mark.xdist_group("soluciones_desde_colab")
@pytest.mark.parametrize("source", SOURCES, ids=_rel)
def test_solution_saved_from_colab_without_metadata_gets_full_points(
        source: Path, solutions_from_colab: dict) -> None:
    assignment, name = source.parent.name, source.name
    course, out, rows = (solutions_from_colab[k] for k in ("course", "out", "rows"))
    assert "solucion" in out and source.stem in out
    sol = rows[("solucion", source.stem)]
    assert float(sol["max_score"]) > 0
    # Las respuestas escritas (markdown) se corrigen a mano: la autocorrección
    # da todos los puntos de código y deja esas celdas marcadas como pendientes.
    manual = _manual_points(source)
    assert float(sol["score"]) == float(sol["max_score"]) - sum(manual.values()), (
        f"la solución obtuvo {sol}")
    if manual:
        assert f"falta corregir a mano: {', '.join(sorted(manual))}" in sol["notes"], sol
    cells = sum(1 for c in solutions_from_colab["copies"][source].cells
                if c.metadata.get("nbgrader"))
    assert CONTENT_NOTE.format(n=cells) in sol["notes"], sol
    autograded = course / "autograded" / "solucion" / assignment / name
    assert _validate(autograded, invert=False) == {}
    # Lo que ve el estudiante con todos los puntos (la copia corregida y su
    # devolución) corre sin un solo error y no conserva su usuario.
    graded = nbformat.read(str(autograded), as_version=4)
    problems = notebook_output_problems(graded, name)
    code, feedback_out = solutions_from_colab["feedback"]
    assert code == 0, f"make feedback falló:\n{feedback_out}"
    feedback = course / "feedback" / "solucion" / assignment / f"{source.stem}.html"
    page = feedback.read_text(encoding="utf-8")
    problems += [f"{source.stem}.html: {p}" for p in html_output_problems(page)]
    assert not problems, "\n".join(problems)
    for path, text in ((autograded, autograded.read_text(encoding="utf-8")), (feedback, page)):
        for secret in (GITHUB_USER, PEOPLE["nombre"]["displayName"], PEOPLE["nombre"]["userId"]):
            assert secret not in text, f"{path.name} conserva «{secret}»"


def _manual_points(source: Path) -> dict[str, float]:
    nb = nbformat.read(str(source), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells if c.cell_type == "markdown"
            and c.metadata.get("nbgrader", {}).get("grade")}


def _graded(nb: nbformat.NotebookNode) -> tuple[list[str], dict[str, list[str]], dict[str, float]]:
    """(funciones evaluadas en orden, sus celdas de evaluación, puntos por celda).

    Las funciones de ejercicios opcionales (sin celda de evaluación con puntos)
    no cuentan."""
    functions, points = [], {}
    for cell in nb.cells:
        m = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and m.get("solution") and not m.get("grade"):
            functions.append(m["grade_id"])
        if m.get("grade"):
            points[m["grade_id"]] = float(m["points"])
    cells = {f: [g for g in points if g == f"test_{f}" or g.startswith(f"test_{f}__")]
             for f in functions}
    functions = [f for f in functions if cells[f]]
    return functions, {f: cells[f] for f in functions}, points


def _cell(nb: nbformat.NotebookNode, cell_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.get("id") == cell_id)


def _wrong(name: str) -> str:
    return f"def {name}(*args, **kwargs):\n    return None\n"


def _attack(tmp_path: Path, capsys, student: str, edit):
    nb = nbformat.read(str(LESSON_01), as_version=4)
    functions, cells, points = _graded(nb)
    assert len(functions) >= 3, "los ataques usan tres funciones evaluadas"
    course = _course(tmp_path, LESSON_01)
    _submit(course, student, "clase_rnn", edit(nb, functions, cells), LESSON_01.name)
    out, rows = _run_make_autograde(course, capsys)
    scores = _cell_scores(course, "clase_rnn", student, LESSON_01.stem)
    return course, out, rows[(student, LESSON_01.stem)], scores, functions, cells, points


def _expect(scores: dict, points: dict, zero: set[str]) -> None:
    for gid, pts in points.items():
        expected = 0.0 if gid in zero else pts
        assert scores.get(gid) == expected, (
            f"{gid}: se esperaba {expected}, nbgrader dio {scores.get(gid)}")


def test_attacks_on_grade_cells_gain_nothing(tmp_path: Path, capsys) -> None:
    """1.ª función: correcta, pero pisa las comprobaciones por un camino que el
    análisis estático no detecta (no gana nada: las otras pruebas siguen
    fallando). 2.ª: respuesta equivocada
    y sus celdas de evaluación borradas. 3.ª: equivocada, con la metadata de
    nbgrader borrada de sus celdas de evaluación y su código cambiado por
    `pass`; además la celda `setup` sin metadata y con comprobaciones falsas."""

    def edit(nb, functions, cells):
        f1, f2, f3 = functions[0], functions[1], functions[-1]
        # Un parche que el análisis estático no ve (lo neutraliza el reinicio
        # de los módulos helpers antes de cada celda de evaluación).
        _cell(nb, f1).source += (
            "\n\n_m = __import__('helpers.checks', fromlist=['x'])\n"
            "for _n in [n for n in vars(_m) if n.startswith('check_')]:\n"
            "    _m.__dict__[_n] = lambda *a, **k: 0.0\n"
            "def check_close(*a, **k):\n    return None\n")
        _cell(nb, f2).source = _wrong(f2)
        _cell(nb, f3).source = _wrong(f3)
        nb.cells = [c for c in nb.cells if c.get("id") not in cells[f2]]
        for gid in cells[f3]:
            cell = _cell(nb, gid)
            cell.metadata = {}
            cell.source = "pass"
        setup = _cell(nb, "setup")
        setup.metadata = {}
        setup.source += ("\nimport helpers.checks as _hc\n"
                         "for _n in dir(_hc):\n"
                         "    if _n.startswith('check_'):\n"
                         "        globals()[_n] = lambda *a, **k: None\n")
        return nb

    course, out, row, scores, functions, cells, points = _attack(tmp_path, capsys, "tramposo", edit)
    f2, f3 = functions[1], functions[-1]
    _expect(scores, points, zero=set(cells[f2]) | set(cells[f3]))
    assert 0 < float(row["score"]) < float(row["max_score"])

    # La devolución no muestra el código de las pruebas ocultas.
    proc = grading.nbgrader(course, "generate_feedback", "clase_rnn", "--student=tramposo")
    assert proc.returncode == 0, proc.stderr
    page = (course / "feedback" / "tramposo" / "clase_rnn" / f"{LESSON_01.stem}.html").read_text(
        encoding="utf-8")
    from tools.autograding import hidden_line_range

    hidden_lines = []
    for cell in nbformat.read(str(LESSON_01), as_version=4).cells:
        rng = hidden_line_range(cell.source) if cell.cell_type == "code" else None
        if rng:
            hidden_lines += [ln.strip() for ln in cell.source.split("\n")[rng[0]:rng[1] - 1]
                             if len(ln.strip()) > 25]
    assert hidden_lines
    for line in hidden_lines:
        assert line not in page and html.escape(line) not in page, f"la devolución muestra: {line}"
    assert "pruebas ocultas: no se muestran" in page


def _mini_course(tmp_path: Path, timeout: int) -> tuple[Path, nbformat.NotebookNode]:
    """Una tarea mínima (tres funciones `x + 1` con pruebas visibles y ocultas):
    los bucles cuestan un timeout por celda que los llama, y acá solo los llama
    su celda de evaluación."""
    from tools.authoring import nb as nbtools

    def fn(name: str):
        return nbtools.solution(name, f"def {name}(x):\n    ### BEGIN SOLUTION\n"
                                      f"    return x + 1\n    ### END SOLUTION")

    def tests(name: str, points: float):
        return nbtools.tests(
            f"test_{name}",
            "from helpers.checks import check_equal\n"
            f"check_equal({name}(1), 2, '{name}')\n### BEGIN HIDDEN TESTS\n"
            f"check_equal({name}(41), 42, '{name}')\n### END HIDDEN TESTS", points)

    cells = [nbtools.md("titulo", "# Mini"), nbtools.code("colab", "pass"),
             nbtools.setup("import numpy as np"),
             fn("f"), tests("f", 1), fn("g"), tests("g", 2), fn("h"), tests("h", 3)]
    source = nbtools.new_notebook(cells)
    course = tmp_path / "curso"
    config = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    (course / "solutions" / "mini").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(config + f"\nc.Execute.timeout = {timeout}\n")
    nbtools.write(source, course / "solutions" / "mini" / "mini.ipynb")
    return course, source


def test_loops_are_cut_and_the_rest_is_graded(tmp_path: Path, capsys) -> None:
    """`g`: un bucle infinito común. `h`: un bucle que se traga la interrupción
    con `except:` pelado (sin reiniciar el kernel, nbgrader no terminaría de
    corregir la entrega). `f`, correcta, conserva su punto."""
    course, nb = _mini_course(tmp_path, timeout=5)
    _cell(nb, "g").source = "def g(x):\n    while True:\n        pass"
    _cell(nb, "h").source = ("import time\n\ndef h(x):\n    while True:\n        try:\n"
                             "            time.sleep(1)\n        except:\n            pass")
    _submit(course, "bucle", "mini", nb, "mini.ipynb")
    out, rows = _run_make_autograde(course, capsys)
    assert _cell_scores(course, "mini", "bucle", "mini") == {
        "test_f": 1.0, "test_g": 0.0, "test_h": 0.0}
    notes = rows[("bucle", "mini")]["notes"]
    assert "test_g: tiempo agotado" in notes
    assert "test_h: no respondió a la interrupción, se reinició el kernel" in notes


def test_tampering_with_numpy_zeroes_the_notebook_for_review(tmp_path: Path, capsys) -> None:
    """Pisar funciones de numpy podría engañar a cualquier comprobación: se
    detecta en el código entregado y el notebook queda en 0 para revisión."""
    course, nb = _mini_course(tmp_path, timeout=30)
    _cell(nb, "g").source += "\n\nimport numpy\nnumpy.testing.assert_allclose = print\n"
    _cell(nb, "h").source += "\n\nfrom helpers import checks\nchecks.check_equal = print\n"
    _submit(course, "numpy", "mini", nb, "mini.ipynb")
    out, rows = _run_make_autograde(course, capsys)
    row = rows[("numpy", "mini")]
    assert float(row["score"]) == 0 and float(row["max_score"]) == 6
    assert "manipulación" in row["notes"] and "numpy.testing.assert_allclose" in row["notes"]
    assert "checks.check_equal" in row["notes"]
    assert "manipulación" in out


SPY = '''
import os, socket
def _intento(nombre, accion):
    try:
        accion()
        print(f"{nombre}: PERMITIDO")
    except BaseException as exc:
        print(f"{nombre}: bloqueado ({type(exc).__name__})")
_intento("leer solutions", lambda: open(os.path.join(CURSO, "solutions", "mini", "mini.ipynb")).read(10) or 1/0)
_intento("leer gradebook", lambda: open(os.path.join(CURSO, "gradebook.db"), "rb").read(16) or 1/0)
_intento("escribir en el curso", lambda: open(os.path.join(CURSO, "nbgrader_config.py"), "a").write("#"))
_intento("escribir en la caché", lambda: open(os.path.join(os.environ["COURSE_DATA_DIR"], "x"), "w").write("#"))
_intento("abrir un socket", lambda: socket.create_connection(("127.0.0.1", PUERTO), timeout=3).close())
_intento("reservar 4 GiB", lambda: np.zeros(4 * 1024**3, dtype=np.uint8))  # calloc: sin tocar la RAM
'''


@pytest.mark.parametrize("isolated,jobs", [(False, 1), (True, 1), (True, 2)],
                         ids=["sin_aislar", "aislado", "aislado_2_trabajos"])
def test_sandbox_blocks_what_student_code_should_not_do(tmp_path: Path, capsys, isolated,
                                                        jobs) -> None:
    """`make autograde SANDBOX=1`: sin red, curso y caché de solo lectura con
    las soluciones y la gradebook tapadas, y memoria acotada; también con
    varios kernels aislados a la vez (tres entregas, dos trabajos). Sin aislar
    (el control), los mismos intentos funcionan: la prueba puede fallar."""
    import socket
    import threading

    from tools.grading.sandbox import available

    reason = available()
    if isolated and reason:
        pytest.skip(f"esta máquina no permite aislar el kernel: {reason}")
    server = socket.create_server(("127.0.0.1", 0))
    threading.Thread(target=lambda: [server.accept() for _ in range(4)], daemon=True).start()
    course, nb = _mini_course(tmp_path, timeout=60)
    _cell(nb, "f").source += "\n\nCURSO = %r\nPUERTO = %d\n" % (
        str(course.resolve()), server.getsockname()[1]) + SPY
    spies = ["espia"] if jobs == 1 else ["espia_a", "espia_b", "espia_c"]
    for spy in spies:
        _submit(course, spy, "mini", nb, "mini.ipynb")
    args = ["--course", str(course), "--jobs", str(jobs)] + (
        ["--sandbox", "--memory-gib", "2"] if isolated else [])
    assert grading.main(args) == 0, capsys.readouterr().out
    attempts = ["leer solutions", "leer gradebook", "escribir en el curso", "escribir en la caché",
                "abrir un socket", "reservar 4 GiB"]
    for spy in spies:
        graded = nbformat.read(str(course / "autograded" / spy / "mini" / "mini.ipynb"),
                               as_version=4)
        text = "".join(o.get("text", "") for o in _cell(graded, "f").outputs)
        for attempt in attempts:
            expected = f"{attempt}: bloqueado" if isolated else f"{attempt}: PERMITIDO"
            assert expected in text, f"{spy}: se esperaba «{expected}»; salida:\n{text}"
        # Aislado o no, la corrección sigue siendo correcta.
        assert _cell_scores(course, "mini", spy, "mini") == {
            "test_f": 1.0, "test_g": 2.0, "test_h": 3.0}
    server.close()


def test_a_broken_submission_does_not_lose_the_other_scores(tmp_path: Path, capsys) -> None:
    """Una entrega que nbgrader no puede ni leer (JSON roto) falla sola: la
    otra se corrige, la tabla y el CSV se escriben, y `make autograde` sale
    con error diciendo cuál falló."""
    course, nb = _mini_course(tmp_path, timeout=30)
    _submit(course, "ana", "mini", nb, "mini.ipynb")
    broken = course / "submitted" / "beto" / "mini"
    broken.mkdir(parents=True)
    (broken / "mini.ipynb").write_text("{esto no es un notebook", encoding="utf-8")
    assert grading.main(["--course", str(course)]) == 1
    out = capsys.readouterr().out
    assert "autograde mini beto: FALLÓ" in out and "beto/mini: la corrección falló" in out
    rows = _grades(course)
    assert float(rows[("ana", "mini")]["score"]) == 6.0
