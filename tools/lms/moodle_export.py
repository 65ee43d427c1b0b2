"""Las notas a Moodle: la planilla offline y el zip de devoluciones.

* :func:`export_moodle` llena la planilla bajada de Moodle (ver
  :mod:`tools.lms.moodle_worksheet`) por sus propios identificadores;
* :func:`export_moodle_feedback` arma el zip de «Subir varios archivos de
  retroalimentación en un zip» (``mod/assign/feedback/file/importziplib.php``,
  ``is_valid_filename_for_import``): cada parte de la ruta se parte por «_» en
  nombre, número de participante, tipo y nombre del plugin; el número tiene que
  ser el de un participante de la tarea y el plugin, uno de la tarea. Así que
  cada devolución va en ``<Nombre>_<N>_assignsubmission_file/<archivo>``, con
  el número de participante de *esta* tarea (nunca el de un grupo).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tools.lms.candidates import review_reason, to_review
from tools.lms.common import (
    LmsError,
    Table,
    fmt,
    moodle_clean_filename,
    parse_number,
    results,
    same_name,
    write_atomic,
)
from tools.lms.moodle_worksheet import DOWNLOAD_HELP, Participant, read_worksheet
from tools.lms.moodle_zip import read_participants


@dataclass
class ExportReport:
    written: int = 0
    blank: list[str] = field(default_factory=list)       # filas sin nota y por qué
    unplaced: list[str] = field(default_factory=list)    # estudiantes con nota sin fila

    def text(self) -> str:
        lines = [f"{self.written} nota(s) escrita(s)"]
        lines += [f"  en blanco: {x}" for x in self.blank]
        lines += [f"  SIN FILA (nota no exportada): {x}" for x in self.unplaced]
        return "\n".join(lines)


def _mismatch(p: Participant, mine: dict[str, str], word: str) -> str:
    """Por qué la fila de la planilla no es la persona importada con ese número ("" si lo es)."""
    if mine["email"] and p.email and mine["email"] != p.email:
        return f"el correo de la planilla ({p.email}) no es el importado ({mine['email']})"
    if (mine["full_name"] and p.name and not mine["email"] and not same_name(mine["full_name"], p.name)
            and word.casefold() not in mine["full_name"].casefold()):
        return f"el nombre de la planilla ({p.name}) no es el importado ({mine['full_name']})"
    return ""


def export_moodle(course: Path, assignment: str, out: Path, worksheet: Path | None = None
                  ) -> ExportReport:
    """Escribe en ``out`` la planilla ``worksheet`` con las notas de la tarea."""
    if worksheet is None:
        raise LmsError("Para exportar a Moodle hace falta la planilla de calificación de la "
                       "tarea: Moodle rechaza una planilla que no sea la suya (las columnas van en "
                       f"el idioma del sitio y las filas, por número de participante). {DOWNLOAD_HELP}")
    ws = read_worksheet(worksheet)
    imported = read_participants(course, assignment)
    if not imported:
        raise LmsError(f"No hay participantes importados de «{assignment}» "
                       f"(moodle_participants.csv): importá antes el zip con import-moodle.")
    by_number = {r["participant"]: r for r in imported}
    if not set(by_number) & set(ws.participants):
        raise LmsError(f"La planilla {worksheet.name} es de otra tarea: ninguno de sus números de "
                       f"participante es de los importados para «{assignment}». Bajá la de esta tarea.")
    res = results(course, assignment)
    flagged, unchecked = to_review(course, assignment)
    report = ExportReport()
    rows = [list(r) for r in ws.table.rows]
    comma = ws.decimal_comma
    done = set()
    for number, p in sorted(ws.participants.items(), key=lambda kv: kv[1].row):
        row = rows[p.row]
        mine = by_number.get(number)
        label = f"{ws.word} {number}"
        if mine is None:
            report.blank.append(f"{label}: no está en el zip importado")
            continue
        problem = _mismatch(p, mine, ws.word)
        if problem:
            report.blank.append(f"{label}: {problem}")
            continue
        r = res.get(mine["student"])
        why = review_reason(mine["student"], flagged, unchecked)
        if why:
            report.blank.append(f"{label} ({mine['student']}): {why}")
            continue
        if r is None:
            report.blank.append(f"{label} ({mine['student']}): sin corregir")
            continue
        maximum = parse_number(row[ws.col["max"]]) if "max" in ws.col else None
        scale = maximum / r.max_score if maximum and r.max_score else 1.0
        row[ws.col["grade"]] = fmt(r.score * scale, comma)
        if "feedback" in ws.col:
            row[ws.col["feedback"]] = r.comments
        report.written += 1
        done.add(mine["student"])
    report.unplaced = sorted(set(res) & {r["student"] for r in imported
                                         if r["participant"] not in ws.participants} - done)
    write_atomic(out, _as_moodle_reads_it(ws.table, rows, report).dumps())
    return report


def _as_moodle_reads_it(table: Table, rows: list[list[str]], report: ExportReport) -> Table:
    """La planilla con las filas nuevas, con comas y en UTF-8.

    importgradeslib.php (``parsecsv``) la lee siempre como UTF-8 con comas: la
    que baja Moodle ya es así; si se guardó de nuevo con «;» o en otra
    codificación, se vuelve a la de Moodle (y el informe lo dice)."""
    table = Table(table.header, rows, table.delimiter, table.encoding)
    if table.delimiter != "," or not table.encoding.startswith("utf-8"):
        report.blank.insert(0, f"(la planilla tenía «{table.delimiter}» y {table.encoding}: se "
                               "escribe con comas y en UTF-8, lo único que lee Moodle)")
        table.delimiter, table.encoding = ",", "utf-8"
    return table


def _prefix(name: str, number: str) -> str:
    return moodle_clean_filename(name.replace("_", " ") + "_" + number)


def export_moodle_feedback(course: Path, assignment: str, out: Path) -> int:
    """Zip de devoluciones para Moodle; devuelve cuántos participantes tienen una."""
    imported = read_participants(course, assignment)
    if not imported:
        raise LmsError(f"No hay participantes importados de «{assignment}» "
                       f"(moodle_participants.csv): importá antes el zip con import-moodle.")
    buf = io.BytesIO()
    count = 0
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for r in sorted(imported, key=lambda r: int(r["participant"] or 0)):
            folder = course / "feedback" / r["student"] / assignment
            pages = sorted(folder.glob("*.html")) if folder.is_dir() else []
            if not pages or not r["participant"].isdigit():
                continue
            # El nombre no importa para Moodle (solo el número), pero sin «_».
            prefix = _prefix(r["full_name"] or "Participante", r["participant"])
            for page in pages:
                zf.writestr(f"{prefix}_assignsubmission_file/devolucion_{page.name}",
                            page.read_bytes())
            count += 1
    if not count:
        raise LmsError(f"No hay devoluciones de «{assignment}» en feedback/: corré antes "
                       "make feedback.")
    write_atomic(out, buf.getvalue())
    return count
