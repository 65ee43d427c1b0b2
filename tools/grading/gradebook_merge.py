"""Fusiona el resultado de un trabajo en la gradebook maestra, por nombres.

Cada trabajo corrige en su propia copia de la gradebook, donde los ids
internos (uuid) de las entregas no son los de la maestra. Acá se copia, en
**una sola transacción** de SQLite y buscando por nombre de tarea, notebook y
celda:

* ``Student`` (se crea si falta; nombre y correo de la maestra se respetan);
* ``SubmittedAssignment``: ``timestamp`` y ``extension``;
* ``SubmittedNotebook``: ``flagged`` y ``late_submission_penalty``;
* ``Grade``: ``auto_score``, ``manual_score``, ``extra_credit``, ``needs_manual_grade``;
* ``Comment``: ``auto_comment``, ``manual_comment``.

**Lo que puso un humano en formgrader sobrevive a una nueva corrección.** La
tabla ``rnn_grading_merge`` (en la misma base, misma transacción) guarda qué
resultado se fusionó por última vez para cada (estudiante, tarea). Un campo
manual (``manual_score``, ``extra_credit``, ``manual_comment``, ``flagged``)
solo se pisa si en la maestra sigue valiendo lo que puso la fusión anterior;
si difiere, lo cambió el docente y se conserva (con su ``needs_manual_grade``).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

STATE = "rnn_grading_merge"
HUMAN_GRADE = ("manual_score", "extra_credit")


def connect(db: Path) -> sqlite3.Connection:
    con = sqlite3.connect(db, timeout=60, isolation_level=None)
    con.row_factory = sqlite3.Row
    con.execute(f"CREATE TABLE IF NOT EXISTS {STATE} (student TEXT NOT NULL, assignment TEXT NOT NULL,"
                " key TEXT NOT NULL, result TEXT NOT NULL, placed TEXT,"
                " PRIMARY KEY (student, assignment))")
    con.execute("CREATE TABLE IF NOT EXISTS rnn_grading_source (assignment TEXT PRIMARY KEY,"
                " key TEXT NOT NULL)")
    return con


def merged(con: sqlite3.Connection) -> dict[tuple[str, str], sqlite3.Row]:
    return {(r["student"], r["assignment"]): r for r in con.execute(f"SELECT * FROM {STATE}")}


def _id() -> str:
    return uuid.uuid4().hex


#: Qué celdas llevan notas y cuáles comentarios. Una respuesta escrita (markdown
#: evaluada) es a la vez celda de evaluación y de solución: dos filas de
#: ``base_cell`` con el mismo nombre; su nota va a la de evaluación y su
#: comentario, a la de solución (como hace nbgrader).
GRADED_TYPES = ("GradeCell", "TaskCell")
COMMENTED_TYPES = ("SolutionCell", "TaskCell")


def _cell_ids(con: sqlite3.Connection, notebook_id: str, types: tuple[str, ...]
              ) -> dict[str, str]:
    marks = ", ".join("?" for _ in types)
    return {r["name"]: r["id"] for r in con.execute(
        f"SELECT id, name FROM base_cell WHERE notebook_id=? AND type IN ({marks})",
        (notebook_id, *types))}


def merge(con: sqlite3.Connection, assignment: str, student: str, key: str, result: dict) -> None:
    """Fusiona ``result`` (ver :func:`tools.grading.jobs.extract_submission`) en una transacción."""
    con.execute("BEGIN IMMEDIATE")
    try:
        _merge(con, assignment, student, key, result)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _merge(con: sqlite3.Connection, assignment: str, student: str, key: str, result: dict) -> None:
    row = con.execute(f"SELECT result FROM {STATE} WHERE student=? AND assignment=?",
                      (student, assignment)).fetchone()
    base = json.loads(row["result"]) if row else {}
    if result:
        a = con.execute("SELECT id FROM assignment WHERE name=?", (assignment,)).fetchone()
        if a is None:
            raise LookupError(f"la tarea {assignment} no está en la gradebook")
        if con.execute("SELECT 1 FROM student WHERE id=?", (student,)).fetchone() is None:
            info = result.get("student", {})
            con.execute("INSERT INTO student (id, first_name, last_name, email, lms_user_id) "
                        "VALUES (?, ?, ?, ?, ?)", (student, info.get("first_name"),
                                                   info.get("last_name"), info.get("email"),
                                                   info.get("lms_user_id")))
        sa = con.execute("SELECT id FROM submitted_assignment WHERE assignment_id=? AND student_id=?",
                         (a["id"], student)).fetchone()
        if sa is None:
            sa_id = _id()
            con.execute("INSERT INTO submitted_assignment (id, assignment_id, student_id, timestamp,"
                        " extension) VALUES (?, ?, ?, ?, ?)",
                        (sa_id, a["id"], student, result["timestamp"], result["extension"]))
        else:
            sa_id = sa["id"]
            con.execute("UPDATE submitted_assignment SET timestamp=?, extension=? WHERE id=?",
                        (result["timestamp"], result["extension"], sa_id))
        for nb_name, nb in result["notebooks"].items():
            _merge_notebook(con, a["id"], sa_id, nb_name, nb,
                            base.get("notebooks", {}).get(nb_name, {}))
    con.execute(f"INSERT OR REPLACE INTO {STATE} (student, assignment, key, result, placed) "
                "VALUES (?, ?, ?, ?, NULL)", (student, assignment, key, json.dumps(result)))


def _human(master_value, base_value, job_value):
    """El valor de la maestra si lo cambió alguien desde la última fusión; si no, el del trabajo."""
    return (master_value, True) if master_value != base_value else (job_value, False)


def _merge_notebook(con, assignment_id, sa_id, nb_name, nb, base_nb) -> None:
    n = con.execute("SELECT id FROM notebook WHERE name=? AND assignment_id=?",
                    (nb_name, assignment_id)).fetchone()
    if n is None:
        raise LookupError(f"el notebook {nb_name} no está en la gradebook")
    sn = con.execute("SELECT * FROM submitted_notebook WHERE assignment_id=? AND notebook_id=?",
                     (sa_id, n["id"])).fetchone()
    if sn is None:
        sn_id = _id()
        con.execute("INSERT INTO submitted_notebook (id, assignment_id, notebook_id, flagged,"
                    " late_submission_penalty) VALUES (?, ?, ?, ?, ?)",
                    (sn_id, sa_id, n["id"], nb["flagged"], nb["late_submission_penalty"]))
    else:
        sn_id = sn["id"]
        flagged, _ = _human(bool(sn["flagged"]), base_nb.get("flagged", False), nb["flagged"])
        con.execute("UPDATE submitted_notebook SET flagged=?, late_submission_penalty=? WHERE id=?",
                    (flagged, nb["late_submission_penalty"], sn_id))
    cells = _cell_ids(con, n["id"], GRADED_TYPES)
    for cell, g in nb["grades"].items():
        if cell not in cells:
            raise LookupError(f"la celda {cell} de {nb_name} no está en la gradebook")
        old = con.execute("SELECT * FROM grade WHERE notebook_id=? AND cell_id=?",
                          (sn_id, cells[cell])).fetchone()
        if old is None:
            con.execute("INSERT INTO grade (id, notebook_id, cell_id, auto_score, manual_score,"
                        " extra_credit, needs_manual_grade) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (_id(), sn_id, cells[cell], g["auto_score"], g["manual_score"],
                         g["extra_credit"], g["needs_manual_grade"]))
            continue
        b = base_nb.get("grades", {}).get(cell, {})
        manual, by_human = _human(old["manual_score"], b.get("manual_score"), g["manual_score"])
        extra, extra_human = _human(old["extra_credit"], b.get("extra_credit"), g["extra_credit"])
        needs = bool(old["needs_manual_grade"]) if by_human else g["needs_manual_grade"]
        con.execute("UPDATE grade SET auto_score=?, manual_score=?, extra_credit=?,"
                    " needs_manual_grade=? WHERE id=?",
                    (g["auto_score"], manual, extra, needs, old["id"]))
    cells = _cell_ids(con, n["id"], COMMENTED_TYPES)
    for cell, c in nb["comments"].items():
        if cell not in cells:
            raise LookupError(f"la celda {cell} de {nb_name} no está en la gradebook")
        old = con.execute("SELECT * FROM comment WHERE notebook_id=? AND cell_id=?",
                          (sn_id, cells[cell])).fetchone()
        if old is None:
            con.execute("INSERT INTO comment (id, notebook_id, cell_id, auto_comment, manual_comment)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (_id(), sn_id, cells[cell], c["auto_comment"], c["manual_comment"]))
            continue
        b = base_nb.get("comments", {}).get(cell, {})
        manual, _ = _human(old["manual_comment"], b.get("manual_comment"), c["manual_comment"])
        con.execute("UPDATE comment SET auto_comment=?, manual_comment=? WHERE id=?",
                    (c["auto_comment"], manual, old["id"]))


def mark_placed(con: sqlite3.Connection, assignment: str, student: str, key: str) -> None:
    con.execute(f"UPDATE {STATE} SET placed=? WHERE student=? AND assignment=? AND key=?",
                (key, student, assignment, key))


def dump(db: Path) -> dict:
    """La gradebook por nombres (para comparar corridas): notas, comentarios, entregas."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    out: dict = {}
    for r in con.execute(
            "SELECT a.name AS a, sa.student_id AS s, sa.timestamp, sa.extension, n.name AS n,"
            " sn.flagged, sn.late_submission_penalty, sn.id AS snid FROM submitted_notebook sn"
            " JOIN submitted_assignment sa ON sn.assignment_id=sa.id"
            " JOIN assignment a ON sa.assignment_id=a.id JOIN notebook n ON sn.notebook_id=n.id"):
        grades = {g["name"]: (g["auto_score"], g["manual_score"], g["extra_credit"],
                              bool(g["needs_manual_grade"]))
                  for g in con.execute("SELECT bc.name, g.* FROM grade g JOIN base_cell bc"
                                       " ON g.cell_id=bc.id WHERE g.notebook_id=?", (r["snid"],))}
        comments = {c["name"]: (c["auto_comment"], c["manual_comment"])
                    for c in con.execute("SELECT bc.name, c.* FROM comment c JOIN base_cell bc"
                                         " ON c.cell_id=bc.id WHERE c.notebook_id=?", (r["snid"],))}
        out[(r["a"], r["s"], r["n"])] = {
            "timestamp": r["timestamp"], "extension": r["extension"], "flagged": bool(r["flagged"]),
            "late": r["late_submission_penalty"], "grades": grades, "comments": comments}
    con.close()
    return out
