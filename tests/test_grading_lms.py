"""Ida y vuelta con Moodle y Canvas (:mod:`tools.lms`), con archivos armados
como los producen esas plataformas, y los nombres que cambian Colab y el
navegador (:mod:`tools.grading.submissions`)."""

from __future__ import annotations

import csv
import io
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest

from tools import ROOT, grading, lms
from tools.grading.submissions import canonical_notebook_name, normalize_folder

LESSON = ROOT / "solutions" / "clase_rnn" / "01_celda_elman.ipynb"
A = "clase_rnn"
NB = LESSON.name
EXPECTED = [NB, "02_rnn_multicapa.ipynb"]


@pytest.mark.parametrize("filename", [
    NB, f"Copia de {NB}", f"Copy of {NB}", f"{LESSON.stem} (1).ipynb",
    f"Copia de {LESSON.stem} (2).ipynb", f"copy of COPIA DE {LESSON.stem}.IPYNB",
    f"  Copia de  {LESSON.stem} (3) .ipynb", f"{LESSON.stem} - copia.ipynb",
])
def test_renamed_notebooks_map_to_the_assignment_name(filename: str) -> None:
    assert canonical_notebook_name(filename, EXPECTED) == NB


@pytest.mark.parametrize("filename", ["notas.txt", "03_otra.ipynb", f"{LESSON.stem}.py",
                                      f"Copia de {LESSON.stem}.txt"])
def test_other_files_do_not_map(filename: str) -> None:
    assert canonical_notebook_name(filename, EXPECTED) is None


def test_nfd_names_map_too() -> None:
    expected = ["año_señal.ipynb"]
    nfd = unicodedata.normalize("NFD", "Copia de año_señal (1).ipynb")
    assert canonical_notebook_name(nfd, expected) == "año_señal.ipynb"


def test_normalize_folder_renames_and_reports(tmp_path: Path) -> None:
    for name in (f"Copia de {NB}", f"{LESSON.stem} (1).ipynb", "notas.txt"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    report = normalize_folder(tmp_path, EXPECTED)
    assert (tmp_path / NB).read_text(encoding="utf-8") == f"{LESSON.stem} (1).ipynb"
    assert report.missing == ["02_rnn_multicapa.ipynb"]
    assert report.duplicates == {NB: [f"Copia de {NB}"]}
    assert report.extra == ["notas.txt"]


# --------------------------------------------------------------- Moodle

def _course(tmp_path: Path) -> Path:
    course = tmp_path / "curso"
    (course / "solutions" / A).mkdir(parents=True)
    shutil.copy(LESSON, course / "solutions" / A / NB)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    return course


def _moodle_zip(path: Path) -> bytes:
    """Como «Descargar todas las entregas»: una carpeta por participante."""
    solution = LESSON.read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        # Moodle 3.x: con «_» final.
        zf.writestr(f"Ana García_101_assignsubmission_file_/Copia de {NB}", solution)
        # Moodle 4.x: sin «_» final; dos descargas del mismo notebook.
        zf.writestr(f"José Núñez_102_assignsubmission_file/{LESSON.stem} (1).ipynb", b"{}")
        zf.writestr(f"José Núñez_102_assignsubmission_file/{NB}", solution)
        # Sin notebook: solo un PDF.
        zf.writestr("Beto Pérez_103_assignsubmission_file_/respuestas.pdf", b"%PDF-1.4")
        # Un notebook de otra cosa, además del bueno.
        zf.writestr(f"Caro Ruiz_104_assignsubmission_file/Copy of {NB}", solution)
        zf.writestr("Caro Ruiz_104_assignsubmission_file/borrador.ipynb", b"{}")
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def test_moodle_import(tmp_path: Path) -> None:
    course = _course(tmp_path)
    zip_path = tmp_path / "entregas.zip"
    _moodle_zip(zip_path)
    report = lms.import_moodle(course, zip_path, A)
    assert report.students == {"101": "ana_garcia", "102": "jose_nunez", "103": "beto_perez",
                               "104": "caro_ruiz"}
    sub = course / "submitted"
    assert (sub / "ana_garcia" / A / NB).read_bytes() == LESSON.read_bytes()
    assert (sub / "jose_nunez" / A / NB).read_bytes() == LESSON.read_bytes()
    assert not (sub / "jose_nunez" / A / f"{LESSON.stem} (1).ipynb").exists()
    assert report.duplicates == {"jose_nunez": {NB: [f"{LESSON.stem} (1).ipynb"]}}
    assert report.missing == {"beto_perez": [NB]}
    assert (sub / "beto_perez" / A / "respuestas.pdf").exists()
    assert report.extra == {"caro_ruiz": ["borrador.ipynb"]}
    assert report.renamed["ana_garcia"] == {f"Copia de {NB}": NB}
    text = report.text()
    assert "beto_perez: falta" in text and "repetido" in text and "de más" in text
    with (course / lms.PARTICIPANTS).open(encoding="utf-8") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    assert rows["jose_nunez"] == {"student": "jose_nunez", "participant": "102",
                                  "full_name": "José Núñez"}
    # Reimportar (otra descarga) conserva los mismos identificadores.
    report = lms.import_moodle(course, zip_path, A)
    assert report.students["102"] == "jose_nunez"


def _graded(course: Path, scores: dict[str, float]) -> float:
    """La gradebook con notas puestas por la API de nbgrader (sin ejecutar kernels)."""
    from nbgrader.api import Gradebook

    grading.ensure_gradebook(course, A)
    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, fraction in scores.items():
            gb.update_or_create_student(student)
            sub = gb.add_submission(A, student)
            nb = sub.notebooks[0]
            for g in nb.grades:
                g.auto_score = g.max_score * fraction
                g.needs_manual_grade = False
            gb.db.commit()
            rows.append(grading.Row(student, A, LESSON.stem, float(nb.score), float(nb.max_score),
                                    "nota de prueba" if fraction < 1 else ""))
        max_score = float(gb.find_assignment(A).max_score)
    grading.write_csv(rows, course / "grades.csv")
    return max_score


def test_moodle_worksheet_export_keeps_the_downloaded_columns(tmp_path: Path) -> None:
    course = _course(tmp_path)
    _moodle_zip(tmp_path / "entregas.zip")
    lms.import_moodle(course, tmp_path / "entregas.zip", A)
    max_score = _graded(course, {"ana_garcia": 1.0, "jose_nunez": 0.5, "caro_ruiz": 0.0})
    # La planilla tal como la baja Moodle («Descargar planilla de calificaciones»).
    worksheet = tmp_path / "Calificaciones-Tarea 1-101.csv"
    header = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
              "Grade can be changed", "Last modified (submission)", "Last modified (grade)",
              "Feedback comments"]
    people = [("101", "Ana García", "ana@example.edu"), ("102", "José Núñez", "jose@example.edu"),
              ("103", "Beto Pérez", "beto@example.edu"), ("104", "Caro Ruiz", "caro@example.edu"),
              ("105", "Dani Sosa", "dani@example.edu")]
    with worksheet.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for n, name, email in people:
            w.writerow([f"Participant {n}", name, email, "Submitted for grading", "", "100.00",
                        "Yes", "Monday, 2 November 2026, 10:00 AM", "-", ""])
    out = tmp_path / "moodle.csv"
    assert lms.export_moodle(course, A, out, worksheet) == 3
    with out.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == header
        rows = {r["Identifier"]: r for r in reader}
    assert len(rows) == 5
    assert rows["Participant 101"]["Grade"] == "100.00"
    assert rows["Participant 102"]["Grade"] == "50.00"
    assert rows["Participant 104"]["Grade"] == "0.00"
    assert rows["Participant 103"]["Grade"] == rows["Participant 105"]["Grade"] == ""
    assert rows["Participant 102"]["Email address"] == "jose@example.edu"
    assert "nota de prueba" in rows["Participant 102"]["Feedback comments"]
    assert f"{LESSON.stem}: {max_score / 2:g}/{max_score:g}" in rows["Participant 102"]["Feedback comments"]
    # Sin planilla: Identifier, Grade y Feedback comments en la escala de la tarea.
    assert lms.export_moodle(course, A, out) == 3
    with out.open(encoding="utf-8") as fh:
        rows = {r["Identifier"]: r for r in csv.DictReader(fh)}
    assert float(rows["Participant 102"]["Grade"]) == pytest.approx(max_score / 2)


def test_canvas_export_from_the_instructors_roster(tmp_path: Path) -> None:
    course = _course(tmp_path)
    max_score = _graded(course, {"ana.garcia": 1.0, "s0002": 0.25, "caro": 0.0})
    roster = tmp_path / "2026-11-29T1200_Grades-RNN.csv"
    # Como lo exporta Canvas: fila «Points Possible» con espacios delante y un
    # estudiante de prueba.
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,clase_rnn (4411),Current Points,Final Points\n"
        "    Points Possible,,,,,20.00,(read only),(read only)\n"
        "\"García, Ana\",9001,s0001,ana.garcia,RNN 2026,,0.00,0.00\n"
        "\"Núñez, José\",9002,s0002,jnunez,RNN 2026,,0.00,0.00\n"
        "\"Pérez, Beto\",9003,s0003,bperez,RNN 2026,,0.00,0.00\n"
        "\"Student, Test\",9999,,,RNN 2026,,0.00,0.00\n", encoding="utf-8")
    out = tmp_path / "canvas.csv"
    assert lms.export_canvas(course, A, roster, out) == 2
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "clase_rnn (4411)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "20.00"]
    body = {r[0]: r for r in rows[2:]}
    assert body["García, Ana"] == ["García, Ana", "9001", "s0001", "ana.garcia", "RNN 2026", "20.00"]
    assert body["Núñez, José"][5] == "5.00"  # 25 % de 20 puntos (SIS User ID)
    assert body["Pérez, Beto"][5] == ""
    assert max_score > 0
