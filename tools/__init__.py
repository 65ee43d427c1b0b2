"""Herramientas del docente y de mantenimiento del curso (no las usa el estudiante).

No se instalan con los helpers (la celda de Colab instala solo ``helpers``): se
usan desde un clon del repositorio, con las dependencias del extra ``lab`` y,
para corregir en un clúster, ``grading``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

#: La raíz del repositorio (se calcula solo acá).
ROOT = Path(__file__).resolve().parents[1]


def env_with_tools(env: Mapping[str, str] | None = None, root: Path = ROOT) -> dict[str, str]:
    """``env`` (por omisión, el entorno actual) con ``root`` primero en ``PYTHONPATH``.

    ``nbgrader_config.py`` importa :mod:`tools.autograding`; en un curso copiado a
    otra carpeta (un trabajo de corrección, una versión del estudiante generada en
    una carpeta temporal) el nbgrader que se lanza la encuentra así.
    """
    out = dict(os.environ if env is None else env)
    out["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), out.get("PYTHONPATH")]))
    return out
