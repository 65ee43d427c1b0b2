"""Estadísticas de una clase corregida (``make stats``): análisis de ítems por
ejercicio y por notebook, los errores que cometió la clase agrupados, y un
informe HTML + CSV + resumen en la terminal. Lee lo que dejó
``python -m tools.grading`` (la gradebook y ``.grading/``): no corrige nada.

``python -m tools.stats --course DIR [--assignment A] [--out DIR]``.
"""

from __future__ import annotations

from tools.stats.analysis import Analysis, analyse
from tools.stats.data import ClassData, load
from tools.stats.mistakes import group_failures, normalise

__all__ = ["Analysis", "ClassData", "analyse", "group_failures", "load", "normalise", "run"]


def run(argv: list[str] | None = None) -> int:
    from tools.stats.__main__ import main

    return main(argv)
