"""Moodle de ida y vuelta (:mod:`tools.lms`) con zips y planillas armados como
los arma Moodle (ver :mod:`lms_oracles`), y las notas comprobadas con la lógica
de sus importadores."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from lms_oracles import (
    MOODLE_STRINGS,
    MoodleRejects,
    moodle_feedback_targets,
    moodle_import_grades,
    moodle_prefix,
)

from tools import ROOT, grading, lms

LESSON = ROOT / "solutions" / "clase_rnn" / "01_celda_elman.ipynb"
A, B = "clase_rnn", "tarea_b"
NB = LESSON.name
SOLVED = LESSON.read_bytes()
BLANK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'

# Personas del curso: nombre, correo y número de participante en cada tarea
# (assign_user_mapping: cambia de una tarea a otra).
PEOPLE = [
    ("Ana García", "ana@example.edu", "1001", "2001"),
    ("José Núñez", "jose@example.edu", "1002", "2002"),
    ("María O'Connor", "maria@example.edu", "1003", "2003"),   # clean_filename quita «'»
    ("Ana_Pérez", "ana.p1@example.edu", "1004", "2004"),       # «_» → espacio
    ("Ana Pérez", "ana.p2@example.edu", "1005", "2005"),       # homónima (tras el cambio)
]


def _course(tmp_path: Path, assignments=(A,)) -> Path:
    course = tmp_path / "curso"
    for a in assignments:
        (course / "solutions" / a).mkdir(parents=True)
        shutil.copy(LESSON, course / "solutions" / a / NB)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    return course


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def _entry(prefix: str, filename: str, layout: str, plugin: str = "file") -> str:
    """Nombre en el zip: «3x» y «41» con carpetas, «flat» sin carpetas."""
    if layout == "3x":
        return f"{prefix}_assignsubmission_{plugin}_/{filename}"
    if layout == "41":
        return f"{prefix}_assignsubmission_{plugin}/{filename}"
    return f"{prefix}_assignsubmission_{plugin}_{filename}"


def _worksheet(path: Path, lang: str, column: int, people=PEOPLE, groups=None, blind=False) -> Path:
    """La planilla como la baja Moodle en ese idioma (``column``: 2 = tarea A, 3 = tarea B)."""
    s = MOODLE_STRINGS[lang]
    names = {"en": ["Full name", "Email address", "Status", "Maximum Grade", "Grade can be changed",
                    "Last modified (submission)", "Feedback comments"],
             "es": ["Nombre completo", "Dirección de correo", "Estado", "Calificación máxima",
                    "Se puede cambiar la calificación", "Última modificación (entrega)",
                    "Comentarios de retroalimentación"]}[lang]
    header = [s["recordid"], *names[:3], s["grade"], *names[3:6], s["lastmodifiedgrade"], names[6]]
    if groups:
        header.insert(2, "Grupo" if lang == "es" else "Group")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for person in people:
        name, email, number = person[0], person[1], person[column]
        row = [f"{s['hiddenuser']}{number}", "" if blind else name, email, "Enviado", "",
               "100,00" if lang == "es" else "100.00", "Sí", "-", "-", ""]
        if groups:
            row.insert(2, groups.get(name, ""))
        w.writerow(row)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


_GRADEBOOKS: dict[str, bytes] = {}


def _graded(course: Path, assignment: str, scores: dict[str, float]) -> float:
    """La gradebook con notas puestas por la API de nbgrader (sin ejecutar kernels)."""
    from nbgrader.api import Gradebook

    db = course / "gradebook.db"
    if assignment in _GRADEBOOKS:      # la misma tarea: la gradebook vacía ya armada
        db.write_bytes(_GRADEBOOKS[assignment])
    else:
        grading.ensure_gradebook(course, assignment)
        _GRADEBOOKS[assignment] = db.read_bytes()
    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, fraction in scores.items():
            gb.update_or_create_student(student)
            sub = gb.add_submission(assignment, student)
            nb = sub.notebooks[0]
            for g in nb.grades:
                g.auto_score = g.max_score * fraction
                g.needs_manual_grade = False
            gb.db.commit()
            rows.append(grading.Row(student, assignment, LESSON.stem, float(nb.score),
                                    float(nb.max_score), "nota de prueba" if fraction < 1 else ""))
        max_score = float(gb.find_assignment(assignment).max_score)
    grading.write_csv(rows, course / "grades.csv")
    return max_score


# --------------------------------------------------------------- importar

@pytest.mark.parametrize("layout", ["3x", "41", "flat"])
def test_every_layout_places_every_participant(tmp_path: Path, layout: str) -> None:
    course = _course(tmp_path)
    entries = {_entry(moodle_prefix(n, a), f"Copia de {NB}", layout): SOLVED
               for n, _, a, _ in PEOPLE[:3]}
    report = lms.import_moodle(course, _zip(tmp_path / "e.zip", entries), A)
    assert sorted(report.students) == ["1001", "1002", "1003"], report.text()
    assert not report.ignored
    for student in report.students.values():
        assert (course / "submitted" / student / A / NB).read_bytes() == SOLVED


def test_later_download_is_graded_and_every_file_kept(tmp_path: Path) -> None:
    course = _course(tmp_path)
    prefix = moodle_prefix("José Núñez", "1002")
    entries = {_entry(prefix, NB, "41"): BLANK,
               _entry(prefix, f"{LESSON.stem} (1).ipynb", "41"): SOLVED,
               _entry(prefix, "onlinetext.html", "41", "onlinetext"): b"<p>hola</p>"}
    report = lms.import_moodle(course, _zip(tmp_path / "e.zip", entries), A)
    folder = course / "submitted" / "jose_nunez" / A
    assert (folder / NB).read_bytes() == SOLVED           # la última descarga
    assert [p.name for p in folder.glob("*.ipynb")] == [NB]   # la corrección no ve otra
    kept = sorted(p.read_bytes() for p in folder.rglob("*.ipynb"))
    assert sorted([BLANK, SOLVED]) == kept                # ninguna se pierde
    assert (folder / "onlinetext.html").exists()
    text = report.text()
    assert "REVISAR" in text and f"{LESSON.stem} (1).ipynb" in text
    assert "texto en línea" in text


def test_blind_marking_in_spanish_and_english(tmp_path: Path) -> None:
    course = _course(tmp_path)
    for lang in ("es", "en"):
        word = MOODLE_STRINGS[lang]["participant"]
        entries = {_entry(moodle_prefix(word, "1001"), NB, "flat"): SOLVED}
        report = lms.import_moodle(course, _zip(tmp_path / "e.zip", entries), A,
                                   _worksheet(tmp_path / "w.csv", lang, 2, blind=True))
        # Con anonimato la planilla no tiene nombres: el id sale del número, y
        # queda el mismo al reimportar (el correo lo une a otras tareas).
        assert list(report.students) == ["1001"], (lang, report.text())
        student = report.students["1001"]
        assert (course / "submitted" / student / A / NB).read_bytes() == SOLVED


def test_groups_without_worksheet_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    course = _course(tmp_path)
    entries = {_entry(moodle_prefix("Equipo Rojo", "1003"), NB, "41"): SOLVED,
               _entry(moodle_prefix("Grupo predeterminado", None), NB, "41"): BLANK}
    with pytest.raises(lms.LmsError, match="grupo"):
        lms.import_moodle(course, _zip(tmp_path / "e.zip", entries), A)
    assert not (course / "submitted").exists() or not any((course / "submitted").iterdir())
    assert not (course / lms.PARTICIPANTS).exists()


def test_groups_expand_to_members_and_the_group_id_is_nobody(tmp_path: Path) -> None:
    course = _course(tmp_path)
    # El id del grupo (1003) es también el número de María, que no es del grupo.
    entries = {_entry(moodle_prefix("Equipo Rojo", "1003"), NB, "41"): SOLVED}
    ws = _worksheet(tmp_path / "w.csv", "es", 2,
                    groups={"Ana García": "Equipo Rojo", "José Núñez": "Equipo Rojo"})
    report = lms.import_moodle(course, _zip(tmp_path / "e.zip", entries), A, ws)
    assert report.students == {"1001": "ana_garcia", "1002": "jose_nunez"}, report.text()
    assert not (course / "submitted" / "maria_oconnor").exists()
    # Las devoluciones van a cada miembro por su número, nunca al id del grupo.
    for student in report.students.values():
        (course / "feedback" / student / A).mkdir(parents=True)
        (course / "feedback" / student / A / f"{LESSON.stem}.html").write_text(student)
    out = tmp_path / "devoluciones.zip"
    assert lms.export_moodle_feedback(course, A, out) == 2
    with zipfile.ZipFile(out) as zf:
        targets = moodle_feedback_targets(zf.namelist(), {p[2]: p[1] for p in PEOPLE})
    assert sorted(targets.values()) == ["ana@example.edu", "jose@example.edu"]


def test_same_people_same_ids_in_a_second_assignment(tmp_path: Path) -> None:
    course = _course(tmp_path, (A, B))
    for assignment, column in ((A, 2), (B, 3)):
        entries = {_entry(moodle_prefix(p[0], p[column]), NB, "41"): SOLVED for p in PEOPLE}
        report = lms.import_moodle(course, _zip(tmp_path / f"{assignment}.zip", entries), assignment,
                                   _worksheet(tmp_path / f"{assignment}.csv", "es", column))
        ids = {p[1]: report.students[p[column]] for p in PEOPLE}
        if assignment == A:
            first = ids
    assert ids == first
    assert len(set(ids.values())) == len(PEOPLE)          # homónimas, distintas
    # Sin planilla, por el nombre (y los homónimos, avisados).
    course2 = _course(tmp_path / "sin", (A, B))
    got = []
    for assignment, column in ((A, 2), (B, 3)):
        entries = {_entry(moodle_prefix(p[0], p[column]), NB, "41"): SOLVED for p in PEOPLE[:3]}
        got.append(sorted(lms.import_moodle(course2, _zip(tmp_path / "x.zip", entries),
                                            assignment).students.values()))
    assert got[0] == got[1] == ["ana_garcia", "jose_nunez", "maria_oconnor"]


def test_not_a_moodle_zip_writes_nothing(tmp_path: Path) -> None:
    course = _course(tmp_path)
    with pytest.raises(lms.LmsError, match="no es un zip de «Descargar todas las entregas»"):
        lms.import_moodle(course, _zip(tmp_path / "e.zip", {"tarea/01.ipynb": SOLVED}), A)
    assert not (course / lms.PARTICIPANTS).exists()


def test_worksheet_of_another_assignment_is_refused(tmp_path: Path) -> None:
    course = _course(tmp_path)
    entries = {_entry(moodle_prefix(p[0], p[2]), NB, "41"): SOLVED for p in PEOPLE}
    with pytest.raises(lms.LmsError, match="otra tarea"):
        lms.import_moodle(course, _zip(tmp_path / "e.zip", entries), A,
                          _worksheet(tmp_path / "w.csv", "es", 3))


# --------------------------------------------------------------- exportar

def _imported_and_graded(tmp_path: Path, lang: str) -> tuple[Path, Path, float]:
    course = _course(tmp_path)
    entries = {_entry(moodle_prefix(p[0], p[2]), NB, "41"): SOLVED for p in PEOPLE}
    ws = _worksheet(tmp_path / "w.csv", lang, 2)
    report = lms.import_moodle(course, _zip(tmp_path / "e.zip", entries), A, ws)
    fractions = dict(zip(["ana", "jose", "maria", "ana.p1", "ana.p2"],
                         [1.0, 0.5, 0.0, 0.25, 0.75], strict=True))
    scores = {report.students[p[2]]: fractions[p[1].split("@")[0]] for p in PEOPLE}
    return course, ws, _graded(course, A, scores)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_worksheet_export_is_accepted_and_each_grade_lands_on_its_person(tmp_path: Path,
                                                                         lang: str) -> None:
    course, ws, _ = _imported_and_graded(tmp_path, lang)
    out = tmp_path / "subir.csv"
    report = lms.export_moodle(course, A, out, ws)
    assert report.written == 5, report.text()
    grades = moodle_import_grades(out.read_bytes(), lang, {p[2]: p[1] for p in PEOPLE})
    comma = lang == "es"
    expected = {"ana@example.edu": "100.00", "jose@example.edu": "50.00",
                "maria@example.edu": "0.00", "ana.p1@example.edu": "25.00",
                "ana.p2@example.edu": "75.00"}
    assert grades == {k: v.replace(".", ",") if comma else v for k, v in expected.items()}
    with out.open(encoding="utf-8") as fh, ws.open(encoding="utf-8") as orig:
        assert next(csv.reader(fh)) == next(csv.reader(orig))   # mismas columnas, mismo idioma


def test_export_without_worksheet_is_refused(tmp_path: Path) -> None:
    course, _, _ = _imported_and_graded(tmp_path, "es")
    out = tmp_path / "subir.csv"
    with pytest.raises(lms.LmsError, match="planilla"):
        lms.export_moodle(course, A, out)
    assert not out.exists()


def test_a_rejected_worksheet_is_refused_before_writing(tmp_path: Path) -> None:
    course, ws, _ = _imported_and_graded(tmp_path, "es")
    rows = list(csv.reader(ws.open(encoding="utf-8")))
    bad = tmp_path / "sin_modificacion.csv"
    with bad.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([r[:-2] + r[-1:] for r in rows])
    with pytest.raises(MoodleRejects):
        moodle_import_grades(bad.read_bytes(), "es", {})
    with pytest.raises(lms.LmsError, match="invalidgradeimport"):
        lms.export_moodle(course, A, tmp_path / "o.csv", bad)
    assert not (tmp_path / "o.csv").exists()


def test_feedback_zip_goes_to_each_participant(tmp_path: Path) -> None:
    course, _, _ = _imported_and_graded(tmp_path, "es")
    for r in lms.read_participants(course, A):
        folder = course / "feedback" / r["student"] / A
        folder.mkdir(parents=True)
        (folder / f"{LESSON.stem}.html").write_text(r["student"], encoding="utf-8")
    out = tmp_path / "devoluciones.zip"
    assert lms.export_moodle_feedback(course, A, out) == 5
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        targets = moodle_feedback_targets(names, {p[2]: p[1] for p in PEOPLE})
        assert len(targets) == len(names) == 5
        by_student = {r["student"]: r["email"] for r in lms.read_participants(course, A)}
        for name, email in targets.items():
            assert by_student[zf.read(name).decode()] == email


# --------------------------------------------------------------- varias versiones

def test_versions_are_all_graded_and_a_difference_blanks_the_export(tmp_path: Path) -> None:
    """Una entrega en blanco y, después, la resuelta (`` (1)``): se corrigen las
    dos (en un curso aparte), la tabla muestra los dos puntajes, y mientras
    difieran la nota exportada queda en blanco con el motivo."""
    course = _course(tmp_path)
    stub = (ROOT / "notebooks" / "clase_rnn" / NB).read_bytes()
    prefix = moodle_prefix("José Núñez", "1002")
    entries = {_entry(prefix, NB, "41"): stub,
               _entry(prefix, f"{LESSON.stem} (1).ipynb", "41"): SOLVED,
               _entry(moodle_prefix("Ana García", "1001"), NB, "41"): SOLVED}
    ws = _worksheet(tmp_path / "w.csv", "es", 2, people=PEOPLE[:2])
    lms.import_moodle(course, _zip(tmp_path / "e.zip", entries), A, ws)
    _graded(course, A, {"ana_garcia": 1.0, "jose_nunez": 1.0})
    out = tmp_path / "subir.csv"
    # Antes de corregir las otras versiones: en blanco, y dice qué hacer.
    report = lms.export_moodle(course, A, out, ws)
    assert report.written == 1 and "grade-candidates" in report.text()
    rows = lms.grade_versions(course, A)
    scores = {r["file"]: float(r["score"]) for r in rows}
    assert scores[NB] > 0 and scores[f"otras_versiones/{NB}"] == 0, rows
    assert all(r["review"] for r in rows) and {r["student"] for r in rows} == {"jose_nunez"}
    report = lms.export_moodle(course, A, out, ws)
    assert report.written == 1 and "puntajes distintos" in report.text()
    grades = moodle_import_grades(out.read_bytes(), "es", {p[2]: p[1] for p in PEOPLE})
    assert grades["jose@example.edu"] == "" and grades["ana@example.edu"] == "100,00"


def test_a_worksheet_resaved_with_semicolons_goes_back_to_what_moodle_reads(tmp_path: Path) -> None:
    """Abierta y guardada de nuevo en una planilla de cálculo (``;``, Windows-1252):
    importgradeslib.php la lee siempre como UTF-8 con comas."""
    course, ws, _ = _imported_and_graded(tmp_path, "es")
    rows = list(csv.reader(ws.open(encoding="utf-8")))
    resaved = tmp_path / "guardada.csv"
    resaved.write_bytes("\r\n".join(";".join(r) for r in rows).encode("cp1252"))
    out = tmp_path / "subir.csv"
    report = lms.export_moodle(course, A, out, resaved)
    assert report.written == 5 and "UTF-8" in report.text()
    grades = moodle_import_grades(out.read_bytes(), "es", {p[2]: p[1] for p in PEOPLE})
    assert grades["jose@example.edu"] == "50,00"
