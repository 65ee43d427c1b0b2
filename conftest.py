"""Configuración de pytest para todo el repositorio.

Con pytest-xdist (``--dist loadgroup``) todas las celdas de un mismo notebook
(nbval) van al mismo proceso y en orden: comparten un kernel.

Marcas por archivo (registradas en ``pyproject.toml``), para correr una parte:

* ``notebooks``: las celdas de los ``.ipynb`` (nbval);
* ``browser``: JupyterLab de verdad (``test_browser.py``, ``test_lab.py``);
* ``grading``: corrección con nbgrader, respuestas equivocadas, versión del
  estudiante, lecciones nuevas (:data:`GRADING`);
* ``unit``: las pruebas de los helpers (``test_<módulo de helpers>.py``,
  ``test_imports.py``) y cualquier otra que no use ``tools`` ni notebooks;
  ``slow`` además en las que entrenan o compilan modelos de Keras
  (:data:`SLOW`): ``make test-unit`` corre ``unit and not slow``.

Un archivo de pruebas nuevo que no está en estas listas se clasifica solo: si
importa ``tools``, ``notebook_harness``, nbformat, nbgrader o nbval, o nombra
``solutions``/``notebooks`` (trabaja con los notebooks del curso), es
``grading``; si no, ``unit``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

# nbval en el kernel del runtime de Colab (con --nbval-kernel-name colab-runtime,
# como en make test): tests/colab_kernel.py.
pytest_plugins = ("tests.colab_kernel",)

ROOT = Path(__file__).resolve().parent
BROWSER = {"test_browser.py", "test_lab.py"}
GRADING = {"test_wrong_answers.py", "test_release.py", "test_scaffold.py",
           "test_colab_roundtrip.py"}
#: Pruebas de helpers que entrenan o compilan modelos (minutos en total).
SLOW = {"test_lm.py", "test_decoding.py", "test_challenge.py"}
# Un archivo nuevo que importa esto, o que lee solutions/ o notebooks/, trabaja con
# los notebooks del curso (corregirlos, publicarlos, mirar sus salidas): grading.
_USES_GRADING = re.compile(
    r"^\s*(from|import)\s+(tools|notebook_harness|nbformat|nbgrader|nbval)\b"
    r"|[\"'/]solutions\b|[\"'/]notebooks\b", re.MULTILINE)


@cache
def _helpers_modules() -> frozenset[str]:
    helpers = ROOT / "helpers"
    return frozenset(p.stem for p in helpers.iterdir()
                     if (p.suffix == ".py" or (p / "__init__.py").exists())
                     and not p.name.startswith("_"))


@cache
def _markers(path: Path) -> tuple[str, ...]:
    """Las marcas de un archivo de pruebas (ver el docstring del módulo)."""
    name = path.name
    if path.suffix == ".ipynb":
        return ("notebooks",)
    if name in BROWSER:
        return ("browser",)
    if name in GRADING or name.startswith("test_autograd"):
        return ("grading",)
    if name in SLOW:
        return ("unit", "slow")
    if name == "test_imports.py" or name.removeprefix("test_").removesuffix(".py") in \
            _helpers_modules():
        return ("unit",)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ("unit",)
    return ("grading",) if _USES_GRADING.search(text) else ("unit",)


@pytest.hookimpl(tryfirst=True)  # antes de que xdist lea las marcas
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.xdist_group(name=str(item.path)))
        for marker in _markers(item.path):
            item.add_marker(getattr(pytest.mark, marker))
