"""Varias versiones del mismo notebook en una entrega: corregirlas todas.

Un estudiante puede subir ``01_celda_elman.ipynb`` y, después,
``01_celda_elman (1).ipynb``. Se corrige la última descarga (el número más
alto: :func:`tools.grading.submissions.plan_names`); las demás quedan en
``submitted/<estudiante>/<tarea>/otras_versiones/`` (la importación de Moodle)
o al lado, con su nombre. ``python -m tools.lms grade-candidates`` las corrige
todas en un curso aparte (``.candidatos/<tarea>/``, con la elegida como
``<estudiante>__v0`` y las otras como ``__v1``, ``__v2``…, así la gradebook
del curso no cambia), escribe ``candidates_<tarea>.csv`` con el puntaje de
cada una y marca para revisar las entregas cuyas versiones tienen puntajes
distintos: las exportaciones dejan su nota en blanco y lo dicen.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from tools.grading.grades_table import CANDIDATES_CSV
from tools.grading.submissions import canonical_notebook_name, plan_names
from tools.lms.common import assignment_notebooks, write_atomic
from tools.lms.moodle_zip import OTHER_VERSIONS

FIELDS = ["student", "notebook", "file", "graded", "score", "max_score", "review"]


@dataclass
class Version:
    student: str
    notebook: str          # nombre de la tarea (``01_celda_elman.ipynb``)
    path: Path
    graded: bool           # la que corrige la corrección normal


def find_versions(course: Path, assignment: str) -> list[Version]:
    """Las entregas con más de una versión de algún notebook, todas sus versiones."""
    expected = assignment_notebooks(course, assignment)
    out = []
    for folder in sorted((course / "submitted").glob(f"*/{assignment}")):
        student = folder.parent.name
        top = sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".ipynb")
        chosen, report = plan_names(top, expected)
        others: dict[str, list[Path]] = {c: [folder / n for n in names]
                                         for c, names in report.duplicates.items()}
        extra = folder / OTHER_VERSIONS
        if extra.is_dir():
            for p in sorted(extra.glob("*.ipynb")):
                canonical = canonical_notebook_name(p.name, expected)
                if canonical is not None:
                    others.setdefault(canonical, []).append(p)
        by_canonical = {c: o for o, c in chosen.items()}
        for canonical, paths in sorted(others.items()):
            if canonical in by_canonical:
                out.append(Version(student, canonical, folder / by_canonical[canonical], True))
            out += [Version(student, canonical, p, False) for p in paths]
    return out


def grade_versions(course: Path, assignment: str, jobs: int | None = None) -> list[dict[str, str]]:
    """Corrige cada versión en un curso aparte; escribe ``candidates_<tarea>.csv``."""
    from tools import grading

    versions = find_versions(course, assignment)
    shadow = course / ".candidatos" / assignment
    if shadow.exists():
        shutil.rmtree(shadow)
    (shadow / "solutions").mkdir(parents=True)
    shutil.copy(course / "nbgrader_config.py", shadow / "nbgrader_config.py")
    shutil.copytree(course / "solutions" / assignment, shadow / "solutions" / assignment)
    names: dict[tuple[str, str], int] = {}
    keys = []
    for v in versions:
        k = 0 if v.graded else names.get((v.student, v.notebook), 0) + 1
        if not v.graded:
            names[(v.student, v.notebook)] = k
        pseudo = f"{v.student}__v{k}"
        target = shadow / "submitted" / pseudo / assignment
        target.mkdir(parents=True, exist_ok=True)
        (target / v.notebook).write_bytes(v.path.read_bytes())
        keys.append((pseudo, v))
    rows: list[dict[str, str]] = []
    if versions:
        argv = ["--course", str(shadow), "--assignment", assignment, "--no-progress", "--no-warm"]
        grading.main(argv + (["--jobs", str(jobs)] if jobs else []))
        with (shadow / "grades.csv").open(encoding="utf-8", newline="") as fh:
            scores = {(r["student"], r["notebook"]): r for r in csv.DictReader(fh)}
        for pseudo, v in keys:
            r = scores.get((pseudo, Path(v.notebook).stem))
            rows.append({"student": v.student, "notebook": v.notebook,
                         "file": v.path.relative_to(course / "submitted" / v.student / assignment
                                                    ).as_posix(),
                         "graded": "sí" if v.graded else "no",
                         "score": r["score"] if r else "", "max_score": r["max_score"] if r else "",
                         "review": ""})
        for student, notebook in {(r["student"], r["notebook"]) for r in rows}:
            mine = [r for r in rows if (r["student"], r["notebook"]) == (student, notebook)]
            if len({r["score"] for r in mine}) > 1 or any(not r["score"] for r in mine):
                for r in mine:
                    r["review"] = "REVISAR: versiones con puntajes distintos"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(course / CANDIDATES_CSV.format(assignment=assignment), buf.getvalue().encode("utf-8"))
    return rows


def to_review(course: Path, assignment: str) -> tuple[set[str], set[str]]:
    """(estudiantes marcados para revisar, estudiantes con versiones sin corregir)."""
    path = course / CANDIDATES_CSV.format(assignment=assignment)
    flagged: set[str] = set()
    if path.exists():
        with path.open(encoding="utf-8", newline="") as fh:
            flagged = {r["student"] for r in csv.DictReader(fh) if r["review"]}
        return flagged, set()
    if not (course / "submitted").is_dir():
        return flagged, set()
    return flagged, {v.student for v in find_versions(course, assignment)}


def review_reason(student: str, flagged: set[str], unchecked: set[str]) -> str:
    """Por qué la nota de ``student`` queda en blanco hasta que la revise el docente."""
    if student in flagged:
        return ("REVISAR: sus versiones de un notebook tienen puntajes distintos "
                "(candidates_<tarea>.csv); nota en blanco")
    if student in unchecked:
        return ("REVISAR: entregó varias versiones de un notebook y las otras no se "
                "corrigieron (python -m tools.lms grade-candidates); nota en blanco")
    return ""
