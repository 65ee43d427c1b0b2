"""Poner un resultado en su lugar: la gradebook del curso y ``autograded/``."""

from __future__ import annotations

from pathlib import Path

from tools.grading import gradebook_merge
from tools.grading.results_store import Store


def place(course: Path, store: Store, con, assignment: str, student: str, key: str,
          data: bytes | None) -> None:
    """Pone ``autograded/<estudiante>/<tarea>`` de una vez: se arma al lado (en
    ``.grading/tmp``, mismo sistema de archivos) y se renombra."""
    store.replace_dir(course / "autograded" / student / assignment, data)
    gradebook_merge.mark_placed(con, assignment, student, key)


def absorb(course: Path, store: Store, con, assignment: str, student: str, key: str,
           result: dict | None = None) -> None:
    """Fusiona y coloca un resultado guardado, si hace falta (idempotente)."""
    state = gradebook_merge.merged(con).get((student, assignment))
    if state is None or state["key"] != key:
        result = result or store.load(key)
        gradebook_merge.merge(con, assignment, student, key, result.get("gradebook") or {})
        state = None
    if state is None or state["placed"] != key:
        place(course, store, con, assignment, student, key, store.autograded(key))
