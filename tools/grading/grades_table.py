"""La tabla de puntajes de la corrección (pantalla y ``grades.csv``), leída de la gradebook."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Row:
    student: str
    assignment: str
    notebook: str
    score: float
    max_score: float
    notes: str = ""


# Carpeta de la entrega donde la importación de Moodle deja las otras versiones de
# un notebook (la que se corrige es la última descarga), y el CSV con el puntaje
# de cada versión que escribe ``python -m tools.lms grade-candidates``.
OTHER_VERSIONS = "otras_versiones"
CANDIDATES_CSV = "candidates_{assignment}.csv"


def version_notes(course: Path, assignment: str) -> dict[tuple[str, str], list[str]]:
    """(estudiante, notebook sin .ipynb) -> observaciones sobre sus otras versiones:
    el puntaje de cada una si ya se corrigieron (y «REVISAR» si difieren), o que
    falta corregirlas."""
    out: dict[tuple[str, str], list[str]] = {}
    path = course / CANDIDATES_CSV.format(assignment=assignment)
    if path.exists():
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        for key in sorted({(r["student"], r["notebook"]) for r in rows}):
            mine = [r for r in rows if (r["student"], r["notebook"]) == key]
            scores = ", ".join(f"{r['file']}{' (corregida)' if r['graded'] == 'sí' else ''}"
                               f" = {r['score'] or 'sin puntaje'}" for r in mine)
            review = " REVISAR: puntajes distintos" if any(r["review"] for r in mine) else ""
            out.setdefault((key[0], Path(key[1]).stem), []).append(f"versiones: {scores}.{review}")
        return out
    for folder in sorted((course / "submitted").glob(f"*/{assignment}/{OTHER_VERSIONS}")):
        student = folder.parent.parent.name
        for nb in sorted(folder.glob("*.ipynb")):
            out.setdefault((student, ""), []).append(
                f"otra versión sin corregir: {OTHER_VERSIONS}/{nb.name} "
                "(python -m tools.lms grade-candidates)")
    return out


def collect(course: Path, notes: dict[tuple[str, str, str], list[str]] | None = None
            ) -> list[Row]:
    from nbgrader.api import Gradebook, MissingEntry

    rows: list[Row] = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            versions = version_notes(course, assignment.name)
            for student in gb.students:
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    continue
                notebooks = sorted(sub.notebooks, key=lambda n: n.name)
                first = notebooks[0] if notebooks else None
                for nb in notebooks:
                    extra = [*(notes or {}).get((student.id, assignment.name, nb.name), []),
                             *versions.get((student.id, nb.name), []),
                             *(versions.get((student.id, ""), []) if nb is first else [])]
                    rows.append(Row(student.id, assignment.name, nb.name,
                                    float(nb.score), float(nb.max_score), " | ".join(extra)))
    # Orden fijo (no el de inserción en la base, que depende de qué trabajo terminó antes).
    return sorted(rows, key=lambda r: (r.assignment, r.student, r.notebook))


def format_table(rows: list[Row]) -> str:
    head = ("estudiante", "tarea", "notebook", "puntaje", "máximo", "%", "observaciones")
    body = [(r.student, r.assignment, r.notebook, f"{r.score:g}", f"{r.max_score:g}",
             f"{100 * r.score / r.max_score:.0f}" if r.max_score else "-", r.notes)
            for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    lines = ["  ".join(x.ljust(w) for x, w in zip(line, widths, strict=True)) for line in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_csv(rows: list[Row], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "assignment", "notebook", "score", "max_score", "notes"])
        for r in rows:
            writer.writerow([r.student, r.assignment, r.notebook, r.score, r.max_score, r.notes])
