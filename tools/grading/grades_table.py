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


def collect(course: Path, notes: dict[tuple[str, str, str], list[str]] | None = None
            ) -> list[Row]:
    from nbgrader.api import Gradebook, MissingEntry

    rows: list[Row] = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for student in gb.students:
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    continue
                for nb in sorted(sub.notebooks, key=lambda n: n.name):
                    extra = (notes or {}).get((student.id, assignment.name, nb.name), [])
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
