"""Ida y vuelta con el aula virtual (Moodle, Canvas): importar las entregas,
exportar las notas y las devoluciones. ``python -m tools.lms``."""

from tools.lms.moodle_canvas import *  # noqa: F403 - la API pública del módulo
from tools.lms.moodle_canvas import main

__all__ = ["main"]
