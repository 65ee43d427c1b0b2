"""Importar el zip de «Descargar todas las entregas» de una tarea de Moodle.

Cómo lo arma Moodle (``mod/assign/classes/downloader.php`` en 4.1 y después,
``download_submissions`` de ``mod/assign/locallib.php`` en 3.x): el prefijo de
cada participante es ``clean_filename(nombre con «_» cambiados por espacios +
"_" + N)``, con ``N`` su número de participante **en esta tarea**; con
anonimato, el nombre es la palabra «Participant» del idioma del sitio
(``Participante_1234567``); en entregas en grupo, el nombre y el id **del
grupo** (y sin grupo, «Default group»/«Grupo predeterminado», sin número).

* «Descargar entregas en carpetas» activado: ``<prefijo>_assignsubmission_file_/X``
  (3.x) o ``<prefijo>_assignsubmission_file/X`` (4.1+);
* desactivado: ``<prefijo>_assignsubmission_file_X`` en la raíz del zip;
* un texto en línea: ``…_assignsubmission_onlinetext_…/onlinetext.html``.

Identidad entre tareas: el número cambia de una tarea a otra, así que el
estudiante se reconoce por la planilla de calificación (``--worksheet``):
número → correo → un identificador estable para todo el curso
(``lms_students.csv``). Sin planilla, por el nombre (y el informe avisa de los
homónimos). Un grupo se expande a sus miembros con la planilla (columna
«Grupo»/«Group»), y sin ella se rechaza: el id de un grupo nunca se toma por
un número de participante.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from tools.grading import grades_table
from tools.grading.submissions import FolderReport, plan_names
from tools.lms.common import LmsError, assignment_notebooks, same_name, slug, write_atomic
from tools.lms.moodle_worksheet import Worksheet, read_worksheet

PARTICIPANTS = "moodle_participants.csv"
STUDENTS = "lms_students.csv"
PARTICIPANT_FIELDS = ["assignment", "participant", "student", "full_name", "email", "group"]
STUDENT_FIELDS = ["student", "full_name", "email"]

# «<prefijo>_assignsubmission_<plugin>» y lo que sigue («», «_», «_<archivo>»).
_ENTRY = re.compile(r"^(?P<prefix>.+?)_assignsubmission_(?P<plugin>[a-z]+)(?P<tail>.*)$", re.S)
# El prefijo: «nombre_N» (el nombre no tiene «_»: Moodle los cambia por espacios).
_PREFIX = re.compile(r"^(?P<name>[^_]*)_(?P<n>\d+)$")


@dataclass
class Folder:
    """Lo de un prefijo del zip: un participante o un grupo."""

    name: str
    number: str | None
    files: dict[str, bytes] = field(default_factory=dict)
    plugins: set[str] = field(default_factory=set)


@dataclass
class ImportReport:
    students: dict[str, str] = field(default_factory=dict)        # participante -> estudiante
    missing: dict[str, list[str]] = field(default_factory=dict)   # estudiante -> notebooks
    extra: dict[str, list[str]] = field(default_factory=dict)
    duplicates: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    chosen: dict[str, dict[str, str]] = field(default_factory=dict)  # estudiante -> {nb: archivo}
    renamed: dict[str, dict[str, str]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)              # entradas del zip sin participante
    ambiguous: list[str] = field(default_factory=list)            # carpetas que no se pusieron
    groups: dict[str, list[str]] = field(default_factory=dict)    # grupo -> estudiantes
    homonyms: list[str] = field(default_factory=list)
    online_text: list[str] = field(default_factory=list)

    def record(self, student: str, chosen: dict[str, str], fr: FolderReport,
               online_text: bool) -> None:
        """Anota lo que pasó al poner la entrega de ``student``."""
        self.chosen[student] = {c: o for o, c in chosen.items()}
        if fr.renamed:
            self.renamed[student] = fr.renamed
        if fr.missing:
            self.missing[student] = fr.missing
        if fr.duplicates:
            self.duplicates[student] = fr.duplicates
        extra = [x for x in fr.extra if x.lower().endswith(".ipynb")]
        if extra:
            self.extra[student] = extra
        if online_text:
            self.online_text.append(student)

    def text(self) -> str:
        lines = [f"{len(self.students)} participante(s) importado(s)"]
        for number, student in sorted(self.students.items(), key=lambda kv: int(kv[0] or 0)):
            placed = ", ".join(f"{nb} (de «{orig}»)" if orig != nb else nb
                               for nb, orig in sorted(self.chosen.get(student, {}).items()))
            lines.append(f"  {number} → {student}: {placed or 'ningún notebook'}")
        for group, members in sorted(self.groups.items()):
            lines.append(f"  grupo «{group}»: a {', '.join(members)}")
        for student, r in sorted(self.renamed.items()):
            lines += [f"  {student}: «{a}» → {b}" for a, b in sorted(r.items())]
        for student, names in sorted(self.missing.items()):
            lines.append(f"  {student}: falta {', '.join(names)}")
        for student, d in sorted(self.duplicates.items()):
            for name, others in sorted(d.items()):
                lines.append(f"  {student}: {name} repetido: se corrige «{self.chosen[student][name]}» "
                             f"(la última descarga); las otras quedan en {OTHER_VERSIONS}/: "
                             f"{', '.join(others)}. REVISAR: `python -m tools.lms "
                             f"grade-candidates` las corrige y compara")
        for student, names in sorted(self.extra.items()):
            lines.append(f"  {student}: de más: {', '.join(names)}")
        lines += [f"  {s}: entregó texto en línea (onlinetext.html, no se corrige)"
                  for s in self.online_text]
        lines += [f"  homónimos: {x}" for x in self.homonyms]
        lines += [f"  SIN PONER: {x}" for x in self.ambiguous]
        lines += [f"  ignorado (no es la carpeta de un participante): {x}" for x in self.ignored]
        return "\n".join(lines)


def _read_zip(zip_path: Path, report: ImportReport) -> dict[str, Folder]:
    """prefijo -> carpeta, con las dos disposiciones (con y sin carpetas)."""
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, FileNotFoundError, IsADirectoryError) as exc:
        raise LmsError(f"{zip_path} no es un zip ({exc}): usá el de «Descargar todas las "
                       f"entregas» de la tarea en Moodle.") from None
    folders: dict[str, Folder] = {}
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = unicodedata.normalize("NFC", info.filename)
            parts = PurePosixPath(name).parts
            match = _ENTRY.match(parts[0])
            if match and len(parts) >= 2 and match["tail"] in ("", "_"):
                rel = "/".join(parts[1:])                      # con carpetas
            elif match and len(match["tail"]) > 1 and match["tail"][0] == "_":
                rel = "/".join([match["tail"][1:], *parts[1:]])  # sin carpetas
            else:
                report.ignored.append(info.filename)
                continue
            prefix = match["prefix"]
            m = _PREFIX.match(prefix)
            folder = folders.setdefault(prefix, Folder(m["name"] if m else prefix,
                                                       m["n"] if m else None))
            folder.files[rel] = zf.read(info)
            folder.plugins.add(match["plugin"])
    if not folders:
        raise LmsError(f"{zip_path.name} no es un zip de «Descargar todas las entregas» de Moodle: "
                       f"ningún archivo tiene la forma «Nombre_123_assignsubmission_file…».")
    return folders


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _csv_bytes(fields: list[str], rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def read_participants(course: Path, assignment: str | None = None) -> list[dict[str, str]]:
    """Las filas de ``moodle_participants.csv`` (de una tarea, si se da)."""
    rows = [r for r in _read_csv(course / PARTICIPANTS) if "assignment" in r]
    return [r for r in rows if assignment is None or r["assignment"] == assignment]


class _Identities:
    """Estudiantes del curso: un identificador estable por persona."""

    def __init__(self, course: Path) -> None:
        self.rows = {r["student"]: r for r in _read_csv(course / STUDENTS)}

    def by_email(self, email: str) -> str | None:
        hits = [s for s, r in self.rows.items() if email and r.get("email", "") == email]
        return hits[0] if len(hits) == 1 else None

    def by_name(self, name: str) -> list[str]:
        return [s for s, r in self.rows.items() if same_name(r["full_name"], name)]

    def new(self, name: str, email: str = "") -> str:
        base = slug(name)
        student, i = base, 2
        while student in self.rows:
            student = f"{base}_{i}"
            i += 1
        self.rows[student] = {"student": student, "full_name": name, "email": email}
        return student


Target = tuple[str, str, str, str, str]   # participante, estudiante, nombre, correo, grupo


def _by_name(folders: dict[str, Folder], ids: _Identities, previous: dict[str, str],
             report: ImportReport) -> list[tuple[Folder, list[Target]]]:
    """Sin planilla: cada carpeta es un participante; el id sale del nombre."""
    out = []
    by_name: dict[str, list[Folder]] = {}
    for f in folders.values():
        by_name.setdefault(f.name.casefold(), []).append(f)
    for f in sorted(folders.values(), key=lambda f: int(f.number or 0)):
        student = previous.get(f.number or "")
        if student is None:
            known = ids.by_name(f.name)
            twins = by_name[f.name.casefold()]
            if len(twins) > 1 or len(known) > 1:
                report.homonyms.append(
                    f"«{f.name}» (participantes {', '.join(sorted(t.number or '' for t in twins))}): "
                    "identificadores distintos en esta tarea, pero sin --worksheet no se sabe "
                    "quién es quién en otras tareas")
            student = known[0] if len(known) == 1 and len(twins) == 1 else ids.new(f.name)
        out.append((f, [(f.number or "", student, f.name, "", "")]))
    return out


def _by_worksheet(folders: dict[str, Folder], ws: Worksheet, ids: _Identities,
                  previous: dict[str, str], report: ImportReport
                  ) -> list[tuple[Folder, list[Target]]]:
    """Con planilla: participante por número (y nombre, salvo anonimato) o
    grupo por nombre (a cada miembro); lo demás no se pone y va al informe."""
    out = []
    group_values = {p.group for p in ws.participants.values() if p.group}
    for f in sorted(folders.values(), key=lambda f: (f.number is None, int(f.number or 0), f.name)):
        p = ws.participants.get(f.number or "")
        is_group = any(same_name(f.name, g) for g in group_values) and (
            p is None or not same_name(f.name, p.name))
        if is_group:
            members = [q for q in ws.participants.values() if same_name(q.group, f.name)]
            report.groups[f.name] = []
        elif p is not None and (same_name(f.name, ws.word) or not p.name
                                or same_name(f.name, p.name)):
            members = [p]
        else:
            what = (f"el participante {f.number} de la planilla se llama «{p.name}»" if p else
                    "no hay un participante con ese número ni un grupo con ese nombre en la planilla")
            report.ambiguous.append(f"«{f.name}» ({f.number or 'sin número'}): {what}; "
                                    "no se le da la entrega a nadie")
            continue
        resolved = []
        for q in members:
            student = (previous.get(q.number) or ids.by_email(q.email)
                       or ids.new(q.name or f"{ws.word} {q.number}", q.email))
            resolved.append((q.number, student, q.name, q.email, q.group))
            if is_group:
                report.groups[f.name].append(student)
        out.append((f, resolved))
    return out


def _resolve(folders: dict[str, Folder], ws: Worksheet | None, ids: _Identities,
             previous: dict[str, str], report: ImportReport, groups_flag: bool
             ) -> list[tuple[Folder, list[Target]]]:
    """Para cada carpeta, a quién va."""
    if ws is not None:
        return _by_worksheet(folders, ws, ids, previous, report)
    if groups_flag or any(f.number is None for f in folders.values()):
        names = ", ".join(sorted(f.name for f in folders.values()))
        raise LmsError(
            "Es una tarea con entregas en grupo (carpetas de grupo: "
            f"{names}): el número de la carpeta es el del grupo, no el de un participante. "
            "Importala con --worksheet (la planilla de calificación de Moodle, con la columna "
            "«Grupo») para dar la entrega a cada miembro.")
    return _by_name(folders, ids, previous, report)


#: Donde quedan las otras versiones de un notebook (descargas anteriores): en
#: una subcarpeta, así la corrección (que mira los notebooks de arriba) nunca
#: toma una de ellas en lugar de la elegida; ``grade-candidates`` las corrige y
#: ``grades.csv`` lo dice (:func:`tools.grading.grades_table.version_notes`).
OTHER_VERSIONS = grades_table.OTHER_VERSIONS


def _place(files: dict[str, bytes], expected: list[str], target: Path
           ) -> tuple[dict[str, str], FolderReport]:
    """Escribe la entrega en ``target`` con los nombres de la tarea; no borra ningún archivo."""
    candidates = {PurePosixPath(rel).name: rel for rel in files
                  if "/" in rel and rel.lower().endswith(".ipynb")}
    candidates.update({rel: rel for rel in files if "/" not in rel})
    chosen, folder_report = plan_names(list(candidates), expected)
    others = {name for names in folder_report.duplicates.values() for name in names}
    target.mkdir(parents=True)
    for original, canonical in chosen.items():
        (target / canonical).write_bytes(files[candidates[original]])
    for rel, data in files.items():
        name = PurePosixPath(rel).name
        if candidates.get(name) == rel and name in chosen:
            continue
        dest = target / (f"{OTHER_VERSIONS}/{name}" if candidates.get(name) == rel
                         and name in others else rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    return chosen, folder_report


def import_moodle(course: Path, zip_path: Path, assignment: str,
                  worksheet: Path | None = None, groups: bool = False) -> ImportReport:
    """Pone cada entrega del zip en ``submitted/<estudiante>/<tarea>/``.

    Todo se decide antes de escribir: con una entrada inválida (zip que no es
    de Moodle, planilla de otra tarea, grupos sin planilla) no cambia nada."""
    expected = assignment_notebooks(course, assignment)
    report = ImportReport()
    ws = read_worksheet(worksheet) if worksheet is not None else None
    folders = _read_zip(zip_path, report)
    if ws is not None:
        numbered = [f.number for f in folders.values() if f.number]
        if numbered and not any(n in ws.participants for n in numbered):
            raise LmsError(f"La planilla {worksheet.name if worksheet else ''} es de otra tarea: "
                           "ningún número de participante del zip está en ella (los números "
                           "cambian de una tarea a otra). Bajá la planilla de esta tarea.")
    ids = _Identities(course)
    others = [r for r in read_participants(course) if r["assignment"] != assignment]
    previous = {r["participant"]: r["student"] for r in read_participants(course, assignment)}
    plan = _resolve(folders, ws, ids, previous, report, groups)
    # Escribir: primero en una carpeta al lado, después se cambia de una vez.
    submitted = course / "submitted"
    submitted.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=submitted))
    rows = []
    try:
        for folder, people in plan:
            for number, student, name, email, group in people:
                chosen, fr = _place(folder.files, expected, staging / student)
                report.students[number] = student
                report.record(student, chosen, fr, "onlinetext" in folder.plugins)
                rows.append({"assignment": assignment, "participant": number, "student": student,
                             "full_name": name, "email": email, "group": group})
        for child in sorted(staging.iterdir()):
            target = submitted / child.name / assignment
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            child.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_atomic(course / PARTICIPANTS, _csv_bytes(PARTICIPANT_FIELDS, others + sorted(
        rows, key=lambda r: int(r["participant"] or 0))))
    write_atomic(course / STUDENTS, _csv_bytes(STUDENT_FIELDS, [ids.rows[s] for s in sorted(ids.rows)]))
    # Una corrección de versiones anterior ya no vale para esta importación.
    (course / grades_table.CANDIDATES_CSV.format(assignment=assignment)).unlink(missing_ok=True)
    write_atomic(course / f"moodle_import_{assignment}.txt", (report.text() + "\n").encode("utf-8"))
    return report
