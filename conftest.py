"""Configuración de pytest para todo el repositorio.

Con pytest-xdist (``--dist loadgroup``) todas las celdas de un mismo notebook
(nbval) van al mismo proceso y en orden: comparten un kernel.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)  # antes de que xdist lea las marcas
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.xdist_group(name=str(item.path)))
