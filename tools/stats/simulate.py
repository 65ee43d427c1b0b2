"""Una clase corregida simulada, sin kernels: para las pruebas y el benchmark.

Escribe lo mismo que deja ``python -m tools.grading`` en un curso: la
gradebook de nbgrader (tareas, notebooks, celdas y las notas de cada
entrega), la tabla de fusión, ``.grading/results/<clave>.json`` y los
notebooks corregidos en ``autograded/<estudiante>/<tarea>/`` (opcionalmente
también como ``<clave>.tar.gz``), con las salidas de error que se le indiquen
en cada celda de evaluación.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import sqlite3
import sys
import tarfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tools.stats.data import MERGE_TABLE, STATE_DIR


@dataclass
class Cell:
    notebook: str
    grade_id: str
    points: float
    manual: bool = False


@dataclass
class Submission:
    """Lo que obtuvo un estudiante: puntaje por (notebook, celda) y la salida de
    error ``(ename, evalue)`` de las celdas que fallaron. Un notebook que no está
    en ``notebooks`` no lo entregó."""

    scores: dict[tuple[str, str], float | None]
    errors: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    notebooks: set[str] | None = None
    seconds: float = 10.0
    status: str = "ok"


def _id() -> str:
    return uuid.uuid4().hex


_EMPTY: dict[str, bytes] = {}


def _empty_gradebook() -> bytes:
    """Una gradebook de nbgrader sin nada (el esquema), creada una vez por proceso."""
    if "db" not in _EMPTY:
        import tempfile

        from nbgrader.api import Gradebook

        bindir = str(Path(sys.executable).parent)  # nbgrader llama a `alembic`
        if bindir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
        with tempfile.TemporaryDirectory() as tmp:
            with Gradebook(f"sqlite:///{Path(tmp) / 'gradebook.db'}"):
                pass
            _EMPTY["db"] = (Path(tmp) / "gradebook.db").read_bytes()
    return _EMPTY["db"]


def create_gradebook(course: Path, assignment: str, cells: list[Cell]) -> None:
    """La gradebook con la estructura de la tarea (esquema de nbgrader; las filas
    como las escribe ``nbgrader generate_assignment``)."""
    (course / "gradebook.db").write_bytes(_empty_gradebook())
    con = sqlite3.connect(course / "gradebook.db")
    with con:
        con.execute("INSERT OR IGNORE INTO course (id) VALUES ('default_course')")
        a_id = _id()
        con.execute("INSERT INTO assignment (id, name, course_id) VALUES (?, ?, 'default_course')",
                    (a_id, assignment))
        nbs = {nb: _id() for nb in dict.fromkeys(c.notebook for c in cells)}
        con.executemany("INSERT INTO notebook (id, name, assignment_id) VALUES (?, ?, ?)",
                        [(i, nb, a_id) for nb, i in nbs.items()])
        for c in cells:
            gid = _id()
            con.execute("INSERT INTO base_cell (id, name, notebook_id, type) VALUES (?, ?, ?, "
                        "'GradeCell')", (gid, c.grade_id, nbs[c.notebook]))
            con.execute("INSERT INTO grade_cells (id, max_score, cell_type) VALUES (?, ?, ?)",
                        (gid, c.points, "markdown" if c.manual else "code"))
            if c.manual:
                sid = _id()
                con.execute("INSERT INTO base_cell (id, name, notebook_id, type) VALUES (?, ?, ?, "
                            "'SolutionCell')", (sid, c.grade_id, nbs[c.notebook]))
                con.execute("INSERT INTO solution_cells (id) VALUES (?)", (sid,))
    con.close()


def _insert_submission(con: sqlite3.Connection, assignment: str, student: str,
                       sub: Submission, cells: dict[tuple[str, str], str],
                       notebooks: dict[str, str]) -> None:
    a_id = con.execute("SELECT id FROM assignment WHERE name=?", (assignment,)).fetchone()[0]
    con.execute("INSERT OR IGNORE INTO student (id) VALUES (?)", (student,))
    sa = _id()
    con.execute("INSERT INTO submitted_assignment (id, assignment_id, student_id, timestamp) "
                "VALUES (?, ?, ?, '2026-12-01 10:00:00')", (sa, a_id, student))
    sn = {}
    for nb, nb_id in notebooks.items():
        sn[nb] = _id()
        con.execute("INSERT INTO submitted_notebook (id, assignment_id, notebook_id, flagged) "
                    "VALUES (?, ?, ?, 0)", (sn[nb], sa, nb_id))
    rows = []
    for (nb, gid), cell_id in cells.items():
        score = sub.scores.get((nb, gid), 0.0)
        rows.append((_id(), cell_id, sn[nb], score, None, None, int(score is None)))
    con.executemany("INSERT INTO grade (id, cell_id, notebook_id, auto_score, manual_score, "
                    "extra_credit, needs_manual_grade) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def _graded_notebook(base: dict, nb: str, sub: Submission) -> bytes:
    """El notebook base con las salidas de error de esta entrega."""
    out = copy.copy(base)
    cells = []
    for cell in base["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        err = sub.errors.get((nb, gid)) if gid else None
        if err is not None:
            cell = {**cell, "outputs": [{"output_type": "error", "ename": err[0], "evalue": err[1],
                                         "traceback": [f"{err[0]}: {err[1]}"]}]}
        cells.append(cell)
    out["cells"] = cells
    return json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True).encode()  # como nbformat


def _pack(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=3) as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def minimal_notebook(cells: list[Cell], notebook: str) -> dict:
    """Un notebook con solo las celdas evaluadas (cuando no hace falta uno real)."""
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": c.grade_id, "source": "", "execution_count": None,
         "metadata": {"nbgrader": {"grade": True, "grade_id": c.grade_id, "points": c.points}},
         "outputs": []} for c in cells if c.notebook == notebook]}


def build(course: Path, assignment: str, cells: list[Cell],
          submissions: dict[str, Submission], *, bases: dict[str, dict] | None = None,
          tar: bool = False, folders: bool = True, absent: Iterable[str] = ()) -> None:
    """Escribe la clase corregida en ``course`` (ver el docstring del módulo)."""
    course.mkdir(parents=True, exist_ok=True)
    if not (course / "gradebook.db").exists():
        create_gradebook(course, assignment, cells)
    bases = bases or {}
    results = course / STATE_DIR / "results"
    results.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(course / "gradebook.db")
    con.execute(f"CREATE TABLE IF NOT EXISTS {MERGE_TABLE} (student TEXT NOT NULL, "
                "assignment TEXT NOT NULL, key TEXT NOT NULL, result TEXT NOT NULL, placed TEXT, "
                "PRIMARY KEY (student, assignment))")
    nb_ids = {r[0]: r[1] for r in con.execute(
        "SELECT n.name, n.id FROM notebook n JOIN assignment a ON n.assignment_id=a.id "
        "WHERE a.name=?", (assignment,))}
    cell_ids = {(r[0], r[1]): r[2] for r in con.execute(
        "SELECT n.name, bc.name, bc.id FROM base_cell bc JOIN notebook n ON bc.notebook_id=n.id "
        "WHERE bc.type='GradeCell'")}
    with con:
        for s in absent:
            con.execute("INSERT OR IGNORE INTO student (id) VALUES (?)", (s,))
        for student, sub in submissions.items():
            _insert_submission(con, assignment, student, sub, cell_ids, nb_ids)
            key = hashlib.sha256(f"{assignment}\0{student}".encode()).hexdigest()
            con.execute(f"INSERT OR REPLACE INTO {MERGE_TABLE} VALUES (?, ?, ?, '{{}}', ?)",
                        (student, assignment, key, key))
            _write_result(course, results, assignment, student, key, sub, cells, bases,
                          tar=tar, folders=folders)
    con.close()


def _write_result(course: Path, results: Path, assignment: str, student: str, key: str,
                  sub: Submission, cells: list[Cell], bases: dict[str, dict], *,
                  tar: bool, folders: bool) -> None:
    handed = sub.notebooks if sub.notebooks is not None else {c.notebook for c in cells}
    files = {f"{nb}.ipynb": _graded_notebook(bases.get(nb) or minimal_notebook(cells, nb), nb, sub)
             for nb in sorted(handed)}
    if folders:
        folder = course / "autograded" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
    if tar:
        (results / f"{key}.tar.gz").write_bytes(_pack(files))
    meta = {"key": key, "assignment": assignment, "student": student, "status": sub.status,
            "seconds": sub.seconds, "notes": {}, "error": "", "gradebook": {}}
    (results / f"{key}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
