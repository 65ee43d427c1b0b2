"""Ida y vuelta con el aula virtual: Moodle y Canvas.

* ``import-moodle``: toma el zip de «Descargar todas las entregas» de una
  tarea de Moodle (una carpeta por participante, ``Nombre Completo_<N>_assignsubmission_file_``
  en versiones viejas, sin el ``_`` final en las nuevas; ``N`` es el número de
  participante), pone cada archivo en ``submitted/<estudiante>/<tarea>/`` con
  los nombres de la tarea (``Copia de …``, ``Copy of …``, `` (1)``: ver
  :mod:`tools.grading.submissions`), anota la correspondencia estudiante ↔ participante
  en ``moodle_participants.csv`` e informa qué falta, qué sobra y qué está repetido.
* ``export-moodle``: la planilla de calificación *offline* de Moodle
  (``Identifier`` = «Participant N», ``Grade``, ``Feedback comments``). Si se da
  la planilla descargada de Moodle (``--worksheet``), se conservan todas sus
  columnas y filas y la nota se escala a su ``Maximum Grade``.
* ``export-canvas``: el CSV del libro de calificaciones de Canvas
  (``Student, ID, SIS User ID, SIS Login ID, Section, <Tarea> (<id>)`` y la fila
  «Points Possible»), con la lista de estudiantes de una exportación de Canvas
  que da el docente (``--roster``).

Las notas salen de ``gradebook.db`` (incluye lo corregido a mano en formgrader)
y las observaciones, de ``grades.csv``.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from tools import ROOT
from tools.grading.submissions import plan_names

PARTICIPANTS = "moodle_participants.csv"
# «Nombre Completo_12345_assignsubmission_file_» (el «_» final falta en Moodle ≥ 4.x;
# «onlinetext» si la tarea admite texto en línea).
MOODLE_FOLDER = re.compile(r"^(?P<name>.+)_(?P<n>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?$")


def slug(text: str) -> str:
    """Identificador de estudiante ASCII (nbgrader lo usa en rutas y en la URL de formgrader)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "estudiante"


# --------------------------------------------------------------- Moodle: importar

@dataclass
class ImportReport:
    students: dict[str, str] = field(default_factory=dict)        # participante -> estudiante
    missing: dict[str, list[str]] = field(default_factory=dict)   # estudiante -> notebooks
    extra: dict[str, list[str]] = field(default_factory=dict)
    duplicates: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    renamed: dict[str, dict[str, str]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)              # entradas del zip sin participante

    def text(self) -> str:
        lines = [f"{len(self.students)} participante(s) importado(s)"]
        for student, r in sorted(self.renamed.items()):
            lines += [f"  {student}: «{a}» → {b}" for a, b in sorted(r.items())]
        for student, names in sorted(self.missing.items()):
            lines.append(f"  {student}: falta {', '.join(names)}")
        for student, d in sorted(self.duplicates.items()):
            for name, dropped in sorted(d.items()):
                lines.append(f"  {student}: {name} repetido (sin corregir: {', '.join(dropped)})")
        for student, names in sorted(self.extra.items()):
            lines.append(f"  {student}: de más: {', '.join(names)}")
        lines += [f"  ignorado (no es la carpeta de un participante): {x}" for x in self.ignored]
        return "\n".join(lines)


def assignment_notebooks(course: Path, assignment: str) -> list[str]:
    folder = course / "solutions" / assignment
    names = sorted(p.name for p in folder.glob("*.ipynb"))
    if not names:
        raise SystemExit(f"No hay notebooks en {folder}")
    return names


def read_participants(course: Path) -> dict[str, dict[str, str]]:
    """estudiante -> {participant, full_name}."""
    path = course / PARTICIPANTS
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["student"]: r for r in csv.DictReader(fh)}


def _read_zip(zip_path: Path, report: ImportReport) -> dict[str, tuple[str, dict[str, bytes]]]:
    """participante -> (nombre completo, {ruta dentro de su carpeta: bytes})."""
    groups: dict[str, tuple[str, dict[str, bytes]]] = {}
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            parts = PurePosixPath(info.filename).parts
            match = MOODLE_FOLDER.match(parts[0]) if len(parts) >= 2 else None
            if not match:
                report.ignored.append(info.filename)
                continue
            name = unicodedata.normalize("NFC", match["name"])
            groups.setdefault(match["n"], (name, {}))[1]["/".join(parts[1:])] = zf.read(info)
    return groups


def _write_student(target: Path, files: dict[str, bytes], expected: list[str]):
    """Pone la entrega de un participante en ``target`` con los nombres de la tarea."""
    # Un notebook dentro de una subcarpeta también cuenta (si no está arriba).
    candidates = {PurePosixPath(rel).name: rel for rel in files
                  if "/" in rel and rel.lower().endswith(".ipynb")}
    candidates.update({rel: rel for rel in files if "/" not in rel})
    chosen, folder_report = plan_names(list(candidates), expected)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for original, canonical in chosen.items():
        (target / canonical).write_bytes(files[candidates[original]])
    for rel, data in files.items():
        if not rel.lower().endswith(".ipynb"):
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
    return folder_report


def import_moodle(course: Path, zip_path: Path, assignment: str) -> ImportReport:
    expected = assignment_notebooks(course, assignment)
    report = ImportReport()
    participants = read_participants(course)
    by_participant = {r["participant"]: s for s, r in participants.items()}
    used = set(participants)
    groups = _read_zip(zip_path, report)
    for n, (name, files) in sorted(groups.items(), key=lambda kv: int(kv[0])):
        student = by_participant.get(n)
        if student is None:
            student = base = slug(name)
            i = 2
            while student in used:
                student = f"{base}_{i}"
                i += 1
            used.add(student)
            participants[student] = {"student": student, "participant": n, "full_name": name}
        report.students[n] = student
        folder = _write_student(course / "submitted" / student / assignment, files, expected)
        if folder.renamed:
            report.renamed[student] = folder.renamed
        if folder.missing:
            report.missing[student] = folder.missing
        if folder.duplicates:
            report.duplicates[student] = folder.duplicates
        extra = [x for x in folder.extra if x.lower().endswith(".ipynb")]
        if extra:
            report.extra[student] = extra
    with (course / PARTICIPANTS).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["student", "participant", "full_name"])
        writer.writeheader()
        for student in sorted(participants):
            writer.writerow({k: participants[student][k] for k in writer.fieldnames})
    return report


# --------------------------------------------------------------- notas

@dataclass
class Result:
    score: float
    max_score: float
    comments: str


def results(course: Path, assignment: str) -> dict[str, Result]:
    """estudiante -> nota de la tarea (suma de notebooks) y devolución en texto."""
    from nbgrader.api import Gradebook, MissingEntry

    notes: dict[str, list[str]] = {}
    grades_csv = course / "grades.csv"
    if grades_csv.exists():
        with grades_csv.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["assignment"] == assignment:
                    line = f"{r['notebook']}: {float(r['score']):g}/{float(r['max_score']):g}"
                    if r["notes"]:
                        line += f" ({r['notes']})"
                    notes.setdefault(r["student"], []).append(line)
    out: dict[str, Result] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in gb.students:
            try:
                sub = gb.find_submission(assignment, student.id)
            except MissingEntry:
                continue
            out[student.id] = Result(float(sub.score), float(sub.max_score),
                                     "; ".join(notes.get(student.id, [])))
    return out


def _fmt(x: float) -> str:
    return f"{x:.2f}"


# --------------------------------------------------------------- Moodle: exportar

MOODLE_COLUMNS = ["Identifier", "Full name", "Grade", "Maximum Grade", "Feedback comments"]


def export_moodle(course: Path, assignment: str, out: Path, worksheet: Path | None = None) -> int:
    """Escribe la planilla offline de Moodle; devuelve cuántas notas puso."""
    res = results(course, assignment)
    participants = read_participants(course)
    by_participant = {r["participant"]: (s, r) for s, r in participants.items()}
    written = 0
    if worksheet is not None:
        with worksheet.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or [])
            rows = list(reader)
        for col in ("Identifier", "Grade", "Feedback comments"):
            if col not in header:
                raise SystemExit(f"La planilla de Moodle no tiene la columna «{col}»")
    else:
        header = MOODLE_COLUMNS
        rows = [{"Identifier": f"Participant {r['participant']}", "Full name": r["full_name"]}
                for _, r in sorted(participants.items(), key=lambda kv: int(kv[1]["participant"]))]
    for row in rows:
        n = re.sub(r"\D", "", row.get("Identifier", ""))
        student = by_participant.get(n, (None, None))[0]
        if student is None or student not in res:
            continue
        r = res[student]
        maximum = row.get("Maximum Grade", "").replace(",", ".").strip()
        scale = float(maximum) / r.max_score if maximum and r.max_score else 1.0
        row["Grade"] = _fmt(r.score * scale)
        if "Maximum Grade" in header and not maximum:
            row["Maximum Grade"] = _fmt(r.max_score)
        row["Feedback comments"] = r.comments
        written += 1
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return written


# --------------------------------------------------------------- Canvas

CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def export_canvas(course: Path, assignment: str, roster: Path, out: Path,
                  column: str | None = None, match: str | None = None) -> int:
    """CSV para importar en el libro de calificaciones de Canvas.

    ``roster``: una exportación del libro de Canvas (da los estudiantes, sus ids
    y, si ya existe, la columna de la tarea con su «Points Possible»).
    ``column``: el encabezado de la tarea en Canvas (``Nombre (id)``); por
    omisión, la columna del roster que empieza con el nombre de la tarea, o
    ``<tarea>`` a secas (Canvas crea la tarea al importar). ``match``: columna
    del roster que coincide con el id del estudiante en ``submitted/`` (por
    omisión, la primera de SIS Login ID, SIS User ID, ID o el nombre que coincida)."""
    res = results(course, assignment)
    with roster.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        body = [row for row in reader if any(cell.strip() for cell in row)]
    idx = {h.strip(): i for i, h in enumerate(header)}
    for col in CANVAS_FIXED:
        if col not in idx:
            raise SystemExit(f"La exportación de Canvas no tiene la columna «{col}»")
    meta_rows = [r for r in body if r[0].strip() in ("Points Possible",) or
                 (r[0].strip() == "" and any("Posting" in c for c in r))]
    test_student = ("Test Student", "Student, Test")
    students = [r for r in body if r not in meta_rows and r[0].strip() not in test_student]
    if column is None:
        column = next((h for h in header if h.strip().startswith(f"{assignment} (")), assignment)
    points_row = next((r for r in meta_rows if r[0].strip() == "Points Possible"), None)
    max_score = next(iter(res.values())).max_score if res else 0.0
    points = max_score
    if column in idx and points_row is not None:
        with_points = points_row[idx[column]].strip()
        if with_points:
            points = float(with_points)

    def key_of(row: list[str], col: str) -> str:
        return row[idx[col]].strip() if col in idx else ""

    columns = [match] if match else ["SIS Login ID", "SIS User ID", "ID"]
    written = 0
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*CANVAS_FIXED, column])
        writer.writerow(["Points Possible", "", "", "", "", _fmt(points)])
        for row in students:
            student = next((key_of(row, c) for c in columns if key_of(row, c) in res), None)
            if student is None and not match:
                student = next((s for s in res if s == slug(row[idx["Student"]])), None)
            grade = ""
            if student is not None:
                r = res[student]
                grade = _fmt(r.score * (points / r.max_score if r.max_score else 1.0))
                written += 1
            writer.writerow([row[idx[c]] for c in CANVAS_FIXED] + [grade])
    return written


# --------------------------------------------------------------- CLI

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=ROOT)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("import-moodle", help="zip de «Descargar todas las entregas» → submitted/")
    p.add_argument("zip", type=Path)
    p.add_argument("--assignment", required=True)
    p = sub.add_parser("export-moodle", help="planilla de calificación offline de Moodle")
    p.add_argument("--assignment", required=True)
    p.add_argument("--worksheet", type=Path, default=None, help="la planilla descargada de Moodle")
    p.add_argument("--out", type=Path, default=None)
    p = sub.add_parser("export-canvas", help="CSV del libro de calificaciones de Canvas")
    p.add_argument("--assignment", required=True)
    p.add_argument("--roster", type=Path, required=True, help="exportación del libro de Canvas")
    p.add_argument("--column", default=None, help="encabezado de la tarea en Canvas: «Nombre (id)»")
    p.add_argument("--match", default=None, help="columna del roster con el id del estudiante")
    p.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    course = args.course.resolve()
    if args.cmd == "import-moodle":
        report = import_moodle(course, args.zip, args.assignment)
        print(report.text())
        return 0
    if args.cmd == "export-moodle":
        out = args.out or course / f"moodle_{args.assignment}.csv"
        n = export_moodle(course, args.assignment, out, args.worksheet)
    else:
        out = args.out or course / f"canvas_{args.assignment}.csv"
        n = export_canvas(course, args.assignment, args.roster, out, args.column, args.match)
    print(f"{n} nota(s) en {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
