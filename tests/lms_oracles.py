"""Oráculos de prueba: lo que aceptan y cómo asignan las filas los importadores
reales, escrito aquí con nuestras palabras a partir de su código:

* Moodle, planilla offline: ``mod/assign/feedback/offline/importgradeslib.php``
  (``parsecsv``: UTF-8 y coma; ``init``: hacen falta las columnas
  ``recordid``, ``grade`` y ``lastmodifiedgrade`` en el idioma del sitio;
  ``next``: el número es lo que sigue al texto de ``hiddenuser``);
* Moodle, zip de devoluciones: ``mod/assign/feedback/file/importziplib.php``
  (``is_valid_filename_for_import``: cada parte de la ruta se parte por «_» en a
  lo sumo 5 pedazos; el segundo es el número de participante);
* Moodle, nombres del zip de entregas: ``mod/assign/classes/downloader.php``
  (prefijo ``clean_filename(nombre con «_»→« » + "_" + N)``);
* Canvas: ``app/models/gradebook_importer.rb`` (separador, encabezado,
  ``Título (id)``, filas por ``ID``, coma decimal).
"""

from __future__ import annotations

import csv
import io
import re

MOODLE_STRINGS = {
    "en": {"recordid": "Identifier", "grade": "Grade", "lastmodifiedgrade": "Last modified (grade)",
           "hiddenuser": "Participant ", "participant": "Participant", "defaultteam": "Default group"},
    "es": {"recordid": "Identificador", "grade": "Calificación",
           "lastmodifiedgrade": "Última modificación (calificación)",
           "hiddenuser": "Participante ", "participant": "Participante",
           "defaultteam": "Grupo predeterminado"},
}


def clean_filename(text: str) -> str:
    return re.sub(r"[\x00-\x1f&<>\"`|':\\/]", "", text)


def moodle_prefix(fullname: str, number: str | None) -> str:
    name = fullname.replace("_", " ")
    return clean_filename(name if number is None else f"{name}_{number}")


class MoodleRejects(Exception):
    pass


def moodle_import_grades(data: bytes, lang: str, uniqueids: dict[str, str]) -> dict[str, str]:
    """persona -> calificación, como la importaría Moodle; ``MoodleRejects`` si no la acepta."""
    s = MOODLE_STRINGS[lang]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))  # parsecsv: 'utf-8', 'comma'
    header = rows[0]
    idx = {k: header.index(s[k]) if s[k] in header else -1
           for k in ("recordid", "grade", "lastmodifiedgrade")}
    if min(idx.values()) < 0:
        raise MoodleRejects("invalidgradeimport")
    out = {}
    for row in rows[1:]:
        number = row[idx["recordid"]][len(s["hiddenuser"]):]
        person = uniqueids.get(number)
        if person is not None:
            out[person] = row[idx["grade"]]
    return out


def moodle_feedback_targets(names: list[str], uniqueids: dict[str, str]) -> dict[str, str]:
    """archivo del zip -> persona a la que Moodle le da esa devolución."""
    out = {}
    for name in names:
        for part in name.split("/"):
            info = part.split("_", 4)
            if len(info) < 4 or not info[1].isdigit():
                continue
            if str(int(info[1])) in uniqueids and (info[2], info[3]) == ("assignsubmission", "file"):
                out[name] = uniqueids[str(int(info[1]))]
                break
    return out


class CanvasRejects(Exception):
    pass


def _canvas_delimiter(lines: list[str]) -> str:
    """``;`` solo si es el único separador que da columnas parejas (``identify_delimiter``)."""
    counts = {}
    for sep in (";", ","):
        n = {len(next(csv.reader([ln], delimiter=sep))) for ln in lines[:3]}
        if len(n) == 1:
            counts[sep] = n
    return ";" if list(counts) == [";"] else ","


def _canvas_student_columns(header: list[str]) -> tuple[int, int]:
    """(columnas del estudiante, índice de ``ID``), o ``CanvasRejects`` (``header?``)."""
    if header[0].startswith("LastName") and header[1] == "FirstName":
        columns, id_col = 4, 2
        rest = header[3:]
    elif len(header) > 3 and "Student" in header[0] and "ID" in header[1]:
        columns, id_col = 3, 1
        rest = header[2:]
    else:
        raise CanvasRejects("Invalid header row")
    if re.search(r"SIS\s+Login\s+ID", rest[0]):
        columns += 1
    elif re.search(r"SIS\s+User\s+ID", rest[0]) and re.search(r"SIS\s+Login\s+ID", rest[1]):
        columns += 2
    if "Section" not in header[columns - 1]:
        raise CanvasRejects("Invalid header row")
    return columns, id_col


def _canvas_number(value: str) -> str:
    """``decimal_comma_to_period``: ``10,00`` → ``10.00``."""
    if not re.fullmatch(r"-?[0-9.,]+", value):
        return value
    parts = re.split(r"[.,]", value)
    return ".".join(["".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else value


def canvas_import(text: str, assignments: dict[str, str], students: dict[str, str]
                  ) -> tuple[dict[str, dict[str, str]], list[str]]:
    """({id de tarea: {persona: nota}}, títulos de tareas NUEVAS), como Canvas."""
    rows = list(csv.reader(io.StringIO(text), delimiter=_canvas_delimiter(text.splitlines())))
    columns, id_col = _canvas_student_columns(rows[0])
    found, new = {}, []
    for j, title in enumerate(rows[0][columns:], start=columns):
        m = re.fullmatch(r"(.*)\s\((\d+)\)", title)
        if m and m[2] in assignments:
            found[j] = m[2]
        else:
            new.append(title)
    out: dict[str, dict[str, str]] = {a: {} for a in found.values()}
    for row in rows[1:]:
        person = students.get(row[id_col].strip())
        if row[0].strip() == "Points Possible" or person is None:
            continue
        for j, a in found.items():
            out[a][person] = _canvas_number(row[j])
    return out, new
