"""Ida y vuelta con el aula virtual (Moodle, Canvas): importar las entregas,
exportar las notas y las devoluciones. ``python -m tools.lms``.

* :mod:`tools.lms.moodle_zip`: el zip de «Descargar todas las entregas»;
* :mod:`tools.lms.moodle_worksheet`: la planilla de calificación offline;
* :mod:`tools.lms.moodle_export`: las notas a la planilla y el zip de devoluciones;
* :mod:`tools.lms.candidates`: varias versiones de un notebook, todas corregidas;
* :mod:`tools.lms.canvas`: el CSV del libro de calificaciones de Canvas;
* :mod:`tools.lms.cli`: las órdenes.
"""

from tools.lms.candidates import grade_versions
from tools.lms.canvas import export_canvas
from tools.lms.cli import main
from tools.lms.common import LmsError, Result, results, slug
from tools.lms.moodle_export import export_moodle, export_moodle_feedback
from tools.lms.moodle_zip import PARTICIPANTS, STUDENTS, ImportReport, import_moodle, read_participants

__all__ = ["PARTICIPANTS", "STUDENTS", "ImportReport", "LmsError", "Result", "export_canvas",
           "export_moodle", "export_moodle_feedback", "grade_versions", "import_moodle", "main",
           "read_participants", "results", "slug"]
