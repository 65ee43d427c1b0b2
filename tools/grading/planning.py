"""Qué hay que corregir: las tareas, sus entregas y la clave de cada trabajo.

La clave de un trabajo es un hash de los archivos entregados, del código fuente
de la tarea, de la configuración de nbgrader, de las versiones instaladas y de
las opciones de corrección: si no cambió, el resultado guardado sirve.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tools.autograding.cells import alignment_skeleton
from tools.grading import gradebook_merge, jobs
from tools.grading.placement import absorb
from tools.grading.processes import nbgrader
from tools.grading.results_store import Store
from tools.grading.submissions import plan_names


def ensure_gradebook(course: Path, assignment: str) -> None:
    """Registra la tarea, sus notebooks y celdas de evaluación en la gradebook."""
    with tempfile.TemporaryDirectory(prefix=".release-", dir=course) as tmp:
        proc = nbgrader(course, "generate_assignment", assignment, "--force",
                        f"--CourseDirectory.release_directory={tmp}", "--log-level=WARN")
    if proc.returncode != 0:
        raise RuntimeError(f"generate_assignment {assignment} falló:\n{proc.stderr}")


def autograde(course: Path, assignment: str, student: str, *extra: str,
              fast: bool = True) -> subprocess.CompletedProcess[str]:
    """``nbgrader autograde`` de una entrega en el propio curso (sin trabajos ni
    gradebook separada; lo que hacía ``make autograde`` antes)."""
    return nbgrader(course, "autograde", assignment, f"--student={student}", "--create",
                    "--force", *extra, env_extra={"COURSE_FAST": "1" if fast else ""})


def _hash_tree(h, root: Path, *, skip_notebooks: bool = False) -> None:
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if skip_notebooks and path.suffix == ".ipynb":
            continue
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())


def source_key(course: Path, assignment: str, fingerprint: str) -> str:
    h = hashlib.sha256(f"{assignment}\0{fingerprint}\0".encode())
    h.update((course / "nbgrader_config.py").read_bytes())
    _hash_tree(h, course / "solutions" / assignment)
    return h.hexdigest()


@dataclass
class Task:
    student: str
    assignment: str
    files: dict[str, bytes]
    notes: list[str]
    key: str
    previous_seconds: float | None = None


@dataclass
class Assignment:
    name: str
    source_key: str
    notebooks: list[str]
    template: bytes
    source_files: dict[str, bytes]
    tasks: list[Task] = field(default_factory=list)


def submission_files(folder: Path, expected: list[str]) -> tuple[dict[str, bytes], list[str]]:
    """Los archivos de una entrega, con los notebooks renombrados a los de la
    tarea (``Copia de X.ipynb`` → ``X.ipynb``), y las observaciones."""
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    top = [p.name for p in files if p.parent == folder]
    chosen, report = plan_names([n for n in top if n.lower().endswith(".ipynb")], expected)
    out = {chosen[p.name]: p.read_bytes() for p in files
           if p.parent == folder and p.name in chosen}
    # Otros archivos (datos, timestamp.txt) viajan igual; notebooks de más, no.
    for p in files:
        rel = p.relative_to(folder).as_posix()
        if p.suffix.lower() != ".ipynb":
            out[rel] = p.read_bytes()
    return out, report.notes()


def task_key(a: Assignment, student: str, files: dict[str, bytes], options: dict) -> str:
    h = hashlib.sha256(json.dumps({"assignment": a.name, "student": student, "source": a.source_key,
                                   "options": options}, sort_keys=True).encode())
    for rel in sorted(files):
        h.update(rel.encode() + b"\0" + hashlib.sha256(files[rel]).digest())
    return h.hexdigest()


def payload(a: Assignment, t: Task, common: dict) -> dict:
    return {**common, "key": t.key, "assignment": a.name, "student": t.student,
            "files": t.files, "notebooks": a.notebooks, "source_files": a.source_files,
            "gradebook": a.template}


class Planner:
    """Arma las tareas y sus trabajos, y separa lo que ya tiene resultado."""

    def __init__(self, course: Path, args: argparse.Namespace, store: Store,
                 fingerprint: str, options: dict) -> None:
        self.course = course
        self.args = args
        self.store = store
        self.fingerprint = fingerprint
        self.options = options

    def prepare(self, con, names: list[str], fresh: set[str]) -> list[Assignment]:
        submitted = self.course / "submitted"
        out = []
        for name in names:
            skey = source_key(self.course, name, self.fingerprint)
            row = con.execute("SELECT key FROM rnn_grading_source WHERE assignment=?",
                              (name,)).fetchone()
            if row is None or row["key"] != skey:
                if name not in fresh:
                    ensure_gradebook(self.course, name)
                with con:
                    con.execute("INSERT OR REPLACE INTO rnn_grading_source VALUES (?, ?)",
                                (name, skey))
            notebooks = [r["name"] + ".ipynb" for r in con.execute(
                "SELECT n.name FROM notebook n JOIN assignment a ON n.assignment_id=a.id "
                "WHERE a.name=? ORDER BY n.name", (name,))]
            src = self.course / "solutions" / name
            source_files = {p.relative_to(src).as_posix(): p.read_bytes()
                            for p in sorted(src.rglob("*")) if p.is_file()
                            and p.suffix != ".ipynb" and ".ipynb_checkpoints" not in p.parts}
            # Los notebooks fuente no viajan; sí lo que necesita el alineamiento
            # de una entrega sin metadata (celdas en orden, sin soluciones ni
            # pruebas ocultas: ver cells.alignment_skeleton).
            source_files.update({f"{nb}": alignment_skeleton(src / nb) for nb in notebooks
                                 if (src / nb).is_file()})
            a = Assignment(name, skey, notebooks, jobs.template_gradebook(self.course / "gradebook.db"),
                           source_files)
            for folder in sorted(submitted.glob(f"*/{name}")):
                student = folder.parent.name
                if self.args.student and student not in self.args.student:
                    continue
                files, notes = submission_files(folder, notebooks)
                key = task_key(a, student, files, self.options)
                a.tasks.append(Task(student, name, files, notes, key))
            out.append(a)
        return out

    def plan(self, con, assignments: list[Assignment]) -> tuple[list[tuple[Assignment, Task]], int]:
        """Fusiona lo ya guardado; devuelve lo que hay que correr (lo lento
        primero, según la corrida anterior) y cuántas entregas no cambiaron."""
        todo: list[tuple[Assignment, Task]] = []
        reused = 0
        seconds: dict[tuple[str, str], float] = {}
        for (student, assignment), row in gradebook_merge.merged(con).items():
            with contextlib.suppress(OSError, ValueError):
                seconds[(student, assignment)] = float(self.store.load(row["key"]).get("seconds", 0))
        for a in assignments:
            for t in a.tasks:
                if self.store.has(t.key) and not self.args.regrade:
                    absorb(self.course, self.store, con, a.name, t.student, t.key)
                    reused += 1
                else:
                    t.previous_seconds = seconds.get((t.student, a.name))
                    todo.append((a, t))
        known = [t.previous_seconds for _, t in todo if t.previous_seconds]
        typical = sum(known) / len(known) if known else 0.0
        todo.sort(key=lambda at: -(at[1].previous_seconds or typical))
        return todo, reused

