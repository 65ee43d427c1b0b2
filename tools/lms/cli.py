"""``python -m tools.lms``: las órdenes de ida y vuelta con Moodle y Canvas."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools import ROOT
from tools.lms.candidates import grade_versions
from tools.lms.canvas import export_canvas
from tools.lms.common import LmsError
from tools.lms.moodle_export import export_moodle, export_moodle_feedback
from tools.lms.moodle_zip import import_moodle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.lms",
                                     description="Ida y vuelta con el aula virtual: Moodle y Canvas.")
    parser.add_argument("--course", type=Path, default=ROOT)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("import-moodle", help="zip de «Descargar todas las entregas» → submitted/")
    p.add_argument("zip", type=Path)
    p.add_argument("--assignment", required=True)
    p.add_argument("--worksheet", type=Path, default=None,
                   help="la planilla de calificación de la tarea (identidad entre tareas, grupos)")
    p.add_argument("--groups", action="store_true", help="la tarea es de entregas en grupo")
    p = sub.add_parser("grade-candidates",
                       help="corrige todas las versiones de un notebook repetido y las compara")
    p.add_argument("--assignment", required=True)
    p.add_argument("--jobs", "-j", type=int, default=None)
    p = sub.add_parser("export-moodle", help="la planilla de calificación de Moodle, con las notas")
    p.add_argument("--assignment", required=True)
    p.add_argument("--worksheet", type=Path, default=None, help="la planilla bajada de Moodle")
    p.add_argument("--out", type=Path, default=None)
    p = sub.add_parser("export-moodle-feedback",
                       help="zip para «Subir varios archivos de retroalimentación en un zip»")
    p.add_argument("--assignment", required=True)
    p.add_argument("--out", type=Path, default=None)
    p = sub.add_parser("export-canvas", help="CSV del libro de calificaciones de Canvas")
    p.add_argument("--assignment", required=True)
    p.add_argument("--roster", type=Path, required=True, help="exportación del libro de Canvas")
    p.add_argument("--column", default=None, help="columna de la tarea en el roster: «Título (id)»")
    p.add_argument("--match", default=None,
                   help="columna del roster con el id del estudiante en submitted/ "
                        "(por omisión: ID, SIS User ID o SIS Login ID, si coincide una sola)")
    p.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    course = args.course.resolve()
    try:
        if args.cmd == "import-moodle":
            print(import_moodle(course, args.zip, args.assignment, args.worksheet,
                                args.groups).text())
        elif args.cmd == "grade-candidates":
            rows = grade_versions(course, args.assignment, args.jobs)
            for r in rows:
                print(f"{r['student']}  {r['file']}: {r['score'] or '-'}/{r['max_score'] or '-'}"
                      f"{' (la corregida)' if r['graded'] == 'sí' else ''}  {r['review']}")
            print(f"{len(rows)} versión(es) → candidates_{args.assignment}.csv")
        elif args.cmd == "export-moodle":
            out = args.out or course / f"moodle_{args.assignment}.csv"
            print(export_moodle(course, args.assignment, out, args.worksheet).text())
            print(f"→ {out}")
        elif args.cmd == "export-moodle-feedback":
            out = args.out or course / f"moodle_devoluciones_{args.assignment}.zip"
            n = export_moodle_feedback(course, args.assignment, out)
            print(f"{n} devolución(es) en {out}")
        else:
            out = args.out or course / f"canvas_{args.assignment}.csv"
            print(export_canvas(course, args.assignment, args.roster, out, args.column,
                                args.match).text())
            print(f"→ {out}")
    except LmsError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
