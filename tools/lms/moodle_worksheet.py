"""La planilla de calificación *offline* de una tarea de Moodle: leerla y
escribir en ella las notas.

Lo que acepta Moodle está en ``mod/assign/feedback/offline/importgradeslib.php``
(``init`` y ``next``): la planilla subida necesita las columnas ``recordid``,
``grade`` y ``lastmodifiedgrade`` con sus nombres **en el idioma del sitio**
(inglés: «Identifier», «Grade», «Last modified (grade)»; castellano:
«Identificador», «Calificación», «Última modificación (calificación)»); si falta
una, rechaza todo el archivo (``invalidgradeimport``). Cada fila se asigna
por el número que sigue a la palabra de ``hiddenuser`` («Participant 123»,
«Participante 123»): el número de participante *de esta tarea*
(``assign_user_mapping``). Por eso la exportación parte siempre de la planilla
que baja el docente: conserva su idioma, sus columnas y sus filas, y solo
llena «Calificación»/«Grade» (y la columna de comentarios, si está).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tools.lms.common import LmsError, Table, read_table

#: Nombres de las columnas en cada idioma del sitio (paquetes de idioma de
#: Moodle: ``recordid``/``lastmodifiedgrade`` de ``assign``, ``grade`` y
#: ``fullname`` del núcleo, ``pluginname`` de ``assignfeedback_comments``,
#: ``submissionteam`` de ``assign``).
COLUMNS = {
    "en": {"id": "Identifier", "grade": "Grade", "modified": "Last modified (grade)",
           "name": "Full name", "max": "Maximum Grade", "feedback": "Feedback comments",
           "group": "Group"},
    "es": {"id": "Identificador", "grade": "Calificación",
           "modified": "Última modificación (calificación)", "name": "Nombre completo",
           "max": "Calificación máxima", "feedback": "Comentarios de retroalimentación",
           "group": "Grupo"},
}
#: «Participant 123», «Participante 123»: una palabra (la del idioma del sitio) y el número.
PARTICIPANT = re.compile(r"^\s*(?P<word>\D*?)\s*(?P<n>\d+)\s*$")

DOWNLOAD_HELP = ("Bajala de Moodle: en la tarea, «Ver todas las entregas», menú «Acción de "
                 "calificación» → «Descargar planilla de calificaciones» (en inglés, "
                 "«Download grading worksheet»; hay que activar «Planilla de calificación "
                 "offline» en los ajustes de la tarea), y pasala con --worksheet.")


@dataclass
class Participant:
    number: str
    name: str = ""
    email: str = ""
    group: str = ""
    row: int = 0


@dataclass
class Worksheet:
    table: Table
    lang: str
    col: dict[str, int]                  # clave de COLUMNS -> índice (las que están)
    word: str                            # «Participant», «Participante»
    email_col: int | None
    participants: dict[str, Participant] = field(default_factory=dict)

    @property
    def decimal_comma(self) -> bool:
        for key in ("max", "grade"):
            i = self.col.get(key)
            if i is not None and any(re.fullmatch(r"\d+,\d+", r[i].strip()) for r in self.table.rows):
                return True
        return False


def read_worksheet(path: Path) -> Worksheet:
    """Lee la planilla bajada de Moodle; la rechaza, con un mensaje que dice
    qué falta, si Moodle también la rechazaría."""
    table = read_table(path, "la planilla de Moodle")
    header = [h.strip() for h in table.header]
    lang = next((code for code, names in COLUMNS.items() if names["id"] in header), None)
    if lang is None:
        raise LmsError(
            f"{path.name} no es una planilla de calificación de Moodle: no tiene la columna "
            f"«Identificador» (ni «Identifier»). {DOWNLOAD_HELP}")
    names = COLUMNS[lang]
    col = {key: header.index(name) for key, name in names.items() if name in header}
    missing = [names[k] for k in ("grade", "modified") if k not in col]
    if missing:
        raise LmsError(
            f"A {path.name} le falta la columna «{'», «'.join(missing)}»: Moodle rechaza una "
            f"planilla sin «{names['id']}», «{names['grade']}» y «{names['modified']}» "
            f"(invalidgradeimport). Usá la planilla tal como la baja Moodle. {DOWNLOAD_HELP}")
    words = set()
    participants: dict[str, Participant] = {}
    for i, row in enumerate(table.rows):
        m = PARTICIPANT.match(row[col["id"]])
        if not m:
            raise LmsError(f"{path.name}, fila {i + 2}: «{row[col['id']]}» no es un identificador "
                           f"de participante de Moodle («Participante 123»).")
        words.add(m["word"])
        participants[m["n"]] = Participant(
            m["n"], row[col["name"]].strip() if "name" in col else "", "",
            row[col["group"]].strip() if "group" in col else "", i)
    if len(words) > 1:
        raise LmsError(f"{path.name}: identificadores con palabras distintas ({', '.join(sorted(words))}).")
    # El correo: la columna cuyos valores son direcciones (su nombre depende del idioma).
    email_col = None
    for j in range(len(header)):
        values = [r[j].strip() for r in table.rows if r[j].strip()]
        if values and all(re.fullmatch(r"[^@\s]+@[^@\s]+", v) for v in values):
            email_col = j
            break
    if email_col is not None:
        for p in participants.values():
            p.email = table.rows[p.row][email_col].strip().casefold()
    return Worksheet(table, lang, col, next(iter(words), "Participant"), email_col, participants)
