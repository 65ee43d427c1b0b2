"""Un notebook que pasó por Colab se corrige igual que el original.

Colab no corre en CI: las entregas se arman con :func:`colab_files.colabify`,
que escribe lo que escribe Colab al descargar un notebook (Archivo → Descargar
→ .ipynb). La forma de esa metadata sale de notebooks guardados por Colab y
publicados en GitHub (ver su docstring).

* Lección 01, un curso y una sola corrida de ``tools.grading.main`` con varias
  entregas del mismo trabajo (una función equivocada, para que el puntaje no
  sea ni 0 ni el máximo): guardado por Colab (nbformat 4.0, sin ids de celda,
  con la metadata de Colab y datos personales) como ``Copia de …``; lo mismo
  además sin la metadata de nbgrader y con celdas agregadas y borradas por el
  estudiante, como ``Copy of … (1)``; y otra lección entregada con el nombre de
  esta, que debe fallar (no corregirse mal). Cada celda de evaluación vale lo
  que vale en el notebook sin tocar (0 las de la función equivocada, todos sus
  puntos las demás); ni la copia corregida ni la devolución conservan nombre,
  e-mail, foto ni ``userId``.

Que cada lección resuelta, guardada en GitHub desde Colab y sin nada de la
metadata de nbgrader, saque todos los puntos sin un solo error en la copia
corregida ni en la devolución lo comprueba ``tests/test_autograde.py`` (donde
cada solución se corrige una vez, de esa forma).
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import nbformat
from colab_files import PEOPLE, colabify, student_copy
from output_checks import html_output_problems

from tools import grading
from tools.authoring import release
from tools.autograding import CONTENT_NOTE, NOTES_KEY, align

ROOT = release.ROOT
LESSON_01 = ROOT / "solutions" / "clase_rnn" / "01_celda_elman.ipynb"
LESSON_02 = ROOT / "solutions" / "clase_rnn" / "02_rnn_multicapa.ipynb"

def _function(nb: nbformat.NotebookNode, index: int) -> str:
    """La función evaluada número ``index`` (las opcionales, sin celda con puntos, no cuentan)."""
    graded = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
              if c.metadata.get("nbgrader", {}).get("grade")}
    names = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
             and not c.metadata["nbgrader"].get("grade")]
    names = [n for n in names if any(g == f"test_{n}" or g.startswith(f"test_{n}__") for g in graded)]
    return names[index]


def _edited_by_student(nb_json: str) -> str:
    """Celdas agregadas y una borrada, como hace un estudiante al trabajar."""
    doc = json.loads(nb_json)
    cells = doc["cells"]
    scratch = {"cell_type": "code", "execution_count": 3, "metadata": {"id": "pruebaMia01"},
               "outputs": [], "source": "# probando\nprint(elman_step)\n"}
    note = {"cell_type": "markdown", "metadata": {"id": "notaMia0002"},
            "source": "Mis notas: repasar BPTT."}
    first_solution = next(i for i, c in enumerate(cells) if c["source"].startswith("def "))
    cells.insert(first_solution, scratch)
    cells.insert(first_solution + 2, note)
    # Borra una celda de texto de la lección (no de nbgrader).
    gone = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                and c["source"].startswith("**El estado es memoria"))
    del cells[gone]
    cells.append({"cell_type": "code", "execution_count": None, "metadata": {"id": "finalMia003"},
                  "outputs": [], "source": "x = 1"})
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _course(tmp_path: Path, sources: list[Path]) -> Path:
    course = tmp_path / "curso"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    for source in sources:
        (course / "solutions" / source.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(source, course / "solutions" / source.parent.name / source.name)
    return course


def _put(course: Path, student: str, assignment: str, name: str, text: str) -> None:
    target = course / "submitted" / student / assignment
    target.mkdir(parents=True, exist_ok=True)
    (target / name).write_text(text, encoding="utf-8")


def _scores(course: Path, assignment: str, student: str, notebook: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(notebook, assignment, student)
        return {g.name: g.score for g in nb.grades}


# ---------------------------------------------------------------------------
# Sin nbgrader: el alineamiento
# ---------------------------------------------------------------------------

def _reference(source: Path):
    from tools.autograding import DEFINES, RefCell

    out = []
    for cell in student_copy(source).cells:
        m = cell.metadata.get("nbgrader", {})
        gid = m.get("grade_id")
        if m.get("solution"):
            out.append(RefCell(cell.cell_type, cell.source, gid, "solution",
                               tuple(DEFINES.findall(cell.source))))
        else:
            out.append(RefCell(cell.cell_type, cell.source, gid))
    return out


def test_alignment_recovers_every_nbgrader_cell_of_a_stripped_colab_copy() -> None:
    reference = _reference(LESSON_01)
    text = _edited_by_student(colabify(student_copy(LESSON_01, {"elman_forward"}),
                                       PEOPLE["nombre"], strip_nbgrader=True))
    nb = nbformat.reads(text, as_version=4)
    pairs = align(nb.cells, reference, fixed={})
    found = {reference[j].grade_id: nb.cells[i] for i, j in pairs.items() if reference[j].grade_id}
    expected = [r.grade_id for r in reference if r.grade_id]
    assert sorted(found) == sorted(expected)
    for gid, cell in found.items():
        ref = next(r for r in reference if r.grade_id == gid)
        if ref.role == "fixed":
            assert cell.source == ref.text, gid
        else:
            assert cell.source.startswith(f"def {gid}("), gid
    # Las celdas agregadas por el estudiante no se toman por celdas de la lección.
    added = {"# probando\nprint(elman_step)\n", "Mis notas: repasar BPTT.", "x = 1"}
    assert not {nb.cells[i].source for i in pairs} & added


def test_alignment_finds_almost_nothing_in_another_lesson() -> None:
    reference = _reference(LESSON_01)
    other = nbformat.reads(colabify(student_copy(LESSON_02), PEOPLE["nombre"],
                                    strip_nbgrader=True), as_version=4)
    pairs = align(other.cells, reference, fixed={})
    anchors = [j for j, r in enumerate(reference) if r.role == "fixed"]
    assert sum(j in set(pairs.values()) for j in anchors) < 0.2 * len(anchors)


# ---------------------------------------------------------------------------
# Con nbgrader, por el camino de `make autograde`
# ---------------------------------------------------------------------------

def _personal_strings() -> list[str]:
    out = []
    for person in PEOPLE.values():
        out += [person["displayName"], person["userId"], person["photoUrl"],
                person["photoUrl"].split("/")[-1]]
        out += person["displayName"].split("@")[:1] if "@" in person["displayName"] else []
    return out


def test_colab_submissions_get_the_same_scores_and_no_personal_data(tmp_path: Path,
                                                                      capsys) -> None:
    assignment, stem = "clase_rnn", LESSON_01.stem
    course = _course(tmp_path, [LESSON_01])
    source = nbformat.read(str(LESSON_01), as_version=4)
    wrong = _function(source, -1)  # la última: ninguna otra la usa
    original = student_copy(LESSON_01, wrong={wrong})
    points = {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
              for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")}
    expected = {g: 0.0 if g == f"test_{wrong}" or g.startswith(f"test_{wrong}__") else p
                for g, p in points.items()}
    assert 0 < sum(expected.values()) < sum(points.values())
    # Guardado por Colab con la metadata de nbgrader, copia en Drive (interfaz
    # en castellano).
    _put(course, "colab", assignment, f"Copia de {LESSON_01.name}",
         colabify(original, PEOPLE["nombre"], seed=1))
    # Sin metadata de nbgrader ni ids, con celdas agregadas y borradas, copia en
    # Drive (interfaz en inglés) descargada por segunda vez.
    _put(course, "sin_metadata", assignment, f"Copy of {stem} (1).ipynb",
         _edited_by_student(colabify(original, PEOPLE["correo"], strip_nbgrader=True, seed=2)))
    # Otra lección con el nombre de esta y sin metadata: no se puede reconocer.
    _put(course, "otra_leccion", assignment, LESSON_01.name,
         colabify(student_copy(LESSON_02), PEOPLE["nombre"], strip_nbgrader=True, seed=3))

    code = grading.main(["--course", str(course)])
    out = capsys.readouterr().out
    with (course / "grades.csv").open(encoding="utf-8") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh) if r["notebook"] == stem}

    # La entrega irreconocible falla sola y lo dice (no se corrige con celdas
    # asignadas al azar: no hay copia corregida).
    assert code == 1, out
    assert "no es el de la tarea" in out, out
    assert not (course / "autograded" / "otra_leccion" / assignment / LESSON_01.name).exists()

    students = ["colab", "sin_metadata"]
    for student in students:
        assert _scores(course, assignment, student, stem) == expected, student
        assert float(rows[student]["score"]) == sum(expected.values()), rows[student]

    # La observación sale solo donde hizo falta reconocer por contenido.
    def metadata(student: str) -> dict:
        path = course / "autograded" / student / assignment / LESSON_01.name
        return nbformat.read(str(path), as_version=4).metadata

    note = CONTENT_NOTE.format(n=sum(1 for c in original.cells if c.metadata.get("nbgrader")))
    assert metadata("sin_metadata")[NOTES_KEY]["notes"] == [note]
    assert NOTES_KEY not in metadata("colab")
    assert note in rows["sin_metadata"]["notes"], rows["sin_metadata"]
    assert "reconocidas por contenido" not in rows["colab"]["notes"], rows["colab"]

    # Ni la copia corregida ni la devolución llevan datos personales.
    for student in students:
        proc = grading.nbgrader(course, "generate_feedback", assignment, f"--student={student}")
        assert proc.returncode == 0, proc.stderr
        # (La función equivocada falla en la devolución: el detector de errores
        # de la prueba siguiente los ve en una página real.)
        page = (course / "feedback" / student / assignment / f"{stem}.html").read_text(
            encoding="utf-8")
        assert html_output_problems(page), student
    files = [p for d in ("autograded", "feedback") for p in (course / d).rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in files)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in _personal_strings():
            assert secret not in text, f"{path.relative_to(course)} conserva «{secret}»"
        assert "executionInfo" not in text and "authorship_tag" not in text, path
