"""Las notas al libro de calificaciones de Canvas.

Lo que hace el importador (``app/models/gradebook_importer.rb`` de
instructure/canvas-lms):

* separa con ``;`` si es el único separador que da la misma cantidad de campos
  en todas las filas (si no, ``,``), y lee ``10,00`` como ``10.00``;
* el encabezado empieza con las columnas del estudiante: ``Student``, ``ID``
  (o ``LastName``, ``FirstName``, ``ID``), opcionalmente ``SIS User ID`` y
  ``SIS Login ID`` (o solo ``SIS Login ID``), ``Integration ID``, ``Root
  Account``, y termina en ``Section``; si no, rechaza el archivo;
* una columna de tarea se asigna a una tarea existente **solo** por
  ``Título (id)``; cualquier otra cosa crea una tarea nueva;
* cada fila se asigna por el ``ID`` de Canvas (y, si no está, por los ids SIS
  o, al final, ¡por el nombre!).

Por eso la exportación parte de una exportación del libro que da el docente
(``--roster``), exige la columna de la tarea (``--column``) tal como está en
ella, escribe cada fila con su ``ID`` y las mismas columnas, separador y coma
decimal, y nunca asigna una nota por nombre: una fila ambigua o sin entrega
queda como estaba y va al informe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tools.lms.candidates import review_reason, to_review
from tools.lms.common import LmsError, Result, Table, fmt, parse_number, read_table, results, write_atomic

TITLE_ID = re.compile(r"^(?P<title>.*)\s\((?P<id>\d+)\)$")
META = ("Points Possible",)


@dataclass
class CanvasReport:
    key: str = "ID"
    written: int = 0
    unchanged: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"{self.written} nota(s) escrita(s) (estudiantes por la columna «{self.key}»)"]
        lines += [f"  sin cambios: {x}" for x in self.unchanged]
        lines += [f"  SIN FILA (nota no exportada): {x}" for x in self.unplaced]
        return "\n".join(lines)


def student_columns(header: list[str]) -> int:
    """Cuántas columnas del estudiante hay antes de las tareas (hasta «Section»
    inclusive); rechaza el encabezado como lo rechazaría Canvas."""
    h = [x.strip() for x in header]
    if len(h) > 3 and re.search("Student", h[0]) and re.search("ID", h[1]):
        pass
    elif len(h) > 4 and h[0] == "LastName" and h[1] == "FirstName" and re.search("ID", h[2]):
        pass
    else:
        raise LmsError("El roster no es una exportación del libro de calificaciones de Canvas: "
                       "el encabezado tiene que empezar con «Student, ID» (o «LastName, "
                       "FirstName, ID»). Exportalo desde Calificaciones → Exportar → CSV.")
    if "Section" not in h:
        raise LmsError("El roster de Canvas no tiene la columna «Section»: exportalo de nuevo "
                       "desde Calificaciones → Exportar → CSV, sin editarlo.")
    return h.index("Section") + 1


def _resolve_column(header: list[str], column: str | None, first: int) -> int:
    titles = [(i, h.strip()) for i, h in enumerate(header) if i >= first and TITLE_ID.match(h.strip())]
    listing = "; ".join(f"«{h}»" for _, h in titles) or "(ninguna)"
    if column is None:
        raise LmsError("Falta --column: la columna de la tarea en el roster, con su id "
                       f"(«Título (id)»); Canvas crea una tarea nueva con cualquier otro "
                       f"encabezado. Columnas del roster: {listing}")
    hits = [i for i, h in titles if h == column.strip()]
    if not hits:
        hits = [i for i, h in titles if TITLE_ID.match(h)["id"] == column.strip()  # type: ignore[index]
                or TITLE_ID.match(h)["title"] == column.strip()]  # type: ignore[index]
    if len(hits) != 1:
        raise LmsError(f"El roster no tiene {'una sola' if hits else 'la'} columna «{column}». "
                       f"Columnas de tareas del roster: {listing}")
    return hits[0]


def _key_column(students: list[list[str]], res: dict, key_cols: list[int], id_col: int) -> int:
    """UNA columna de ids para toda la clase (la que más ids de nbgrader tiene;
    ante empate, ID, SIS User ID, SIS Login ID), nunca el nombre: así un id de
    nbgrader que por casualidad es el SIS User ID de otra persona no le da su nota."""
    def hits(j: int) -> int:
        values = {r[j].strip() for r in students}
        return sum(s in values for s in res)
    return max(key_cols, key=lambda j: (hits(j), -key_cols.index(j))) if key_cols else id_col


def _grade_cell(i: int, row: list[str], col: int, label: str, owners: dict[int, list[str]],
                rows_of: dict[str, list[int]], res: dict[str, Result], points: float | None,
                comma: bool, report: CanvasReport) -> str:
    """La celda de la nota de una fila: la nota si es de un solo estudiante y
    ese estudiante tiene una sola fila; si no, lo que ya tenía (sin cambios)."""
    who = owners.get(i, [])
    if len(who) == 1 and len(rows_of[who[0]]) == 1:
        g = res[who[0]]
        scale = points / g.max_score if points and g.max_score else 1.0
        report.written += 1
        return fmt(g.score * scale, comma)
    if len(who) > 1:
        report.unchanged.append(f"{label}: coincide con varios estudiantes ({', '.join(who)})")
    elif not who:
        report.unchanged.append(f"{label}: sin entrega corregida")
    return row[col]


def export_canvas(course: Path, assignment: str, roster: Path, out: Path,
                  column: str | None = None, match: str | None = None) -> CanvasReport:
    """CSV para importar en el libro de Canvas, con las filas del roster."""
    table = read_table(roster, "el roster de Canvas")
    first = student_columns(table.header)
    col = _resolve_column(table.header, column, first)
    header = [h.strip() for h in table.header]
    id_col = header.index("ID")
    keys = [match] if match else ["ID", "SIS User ID", "SIS Login ID"]
    if match and match not in header[:first]:
        raise LmsError(f"El roster no tiene la columna «{match}» (--match).")
    key_cols = [header.index(k) for k in keys if k in header[:first]]
    res = results(course, assignment)
    flagged, unchecked = to_review(course, assignment)
    held = {s: review_reason(s, flagged, unchecked) for s in res if review_reason(s, flagged, unchecked)}
    res = {s: r for s, r in res.items() if s not in held}
    comma = any(re.fullmatch(r"-?\d+,\d+", c.strip()) for r in table.rows for c in r[first:])
    meta = [r for r in table.rows if r[0].strip() in META or not r[id_col].strip()]
    students = [r for r in table.rows if r not in meta]
    points_row = next((r for r in meta if r[0].strip() == "Points Possible"), None)
    points = parse_number(points_row[col]) if points_row else None
    key = _key_column(students, res, key_cols, id_col)
    rows_of = {s: [i for i, r in enumerate(students) if r[key].strip() == s] for s in res}
    owners: dict[int, list[str]] = {}
    for s, idx in rows_of.items():
        for i in idx:
            owners.setdefault(i, []).append(s)
    report = CanvasReport(key=header[key])
    out_rows = [r[:first] + [r[col]] for r in meta]
    for i, r in enumerate(students):
        out_rows.append(r[:first] + [_grade_cell(i, r, col, f"{r[0].strip()} (ID {r[id_col].strip()})",
                                                 owners, rows_of, res, points, comma, report)])
    report.unplaced += [f"{s}: {why}" for s, why in sorted(held.items())]
    for s, idx in sorted(rows_of.items()):
        if not idx:
            report.unplaced.append(f"{s}: ninguna fila del roster tiene ese id")
        elif len(idx) > 1:
            report.unplaced.append(f"{s}: coincide con {len(idx)} filas del roster (ambiguo)")
    write_atomic(out, Table(table.header[:first] + [table.header[col]], out_rows,
                            table.delimiter, table.encoding).dumps())
    return report
