"""Entregas como las guarda Colab (Archivo → Descargar → .ipynb, o «Guardar
una copia en GitHub»), para las pruebas de la corrección: :func:`colabify`
escribe ese JSON y :func:`student_copy` arma lo que entrega un estudiante que
resolvió la lección. Las usan ``tests/test_colab_roundtrip.py`` y
``tests/test_autograde.py``.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from pathlib import Path

import nbformat

from tools.autograding import without_hidden_tests

# Datos personales de las entregas de prueba: no deben llegar a la corrección.
PEOPLE = {
    "nombre": {"displayName": "Valentina Quiroga Ledesma", "userId": "10493857201938475610",
               "photoUrl": "https://lh3.googleusercontent.com/a-/AOh14GhVqZ3xKq9u2N7pLmRt=s64"},
    # Una cuenta sin nombre: Colab muestra (y guarda) la dirección de correo.
    "correo": {"displayName": "tomas.iriarte.pln@alumnos.example.edu.ar",
               "userId": "03981274650192837465",
               "photoUrl": "https://lh3.googleusercontent.com/a/ACg8ocKt9Zr2WfB4y=s64-c"},
}


def _colab_id(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
                   for _ in range(12))


def colabify(nb: nbformat.NotebookNode, user: dict[str, str], *, strip_nbgrader: bool = False,
             name: str = "01_celda_elman.ipynb", seed: int = 0, github_user: str | None = None
             ) -> str:
    """El JSON que descarga Colab (Archivo → Descargar → .ipynb) para ``nb``.

    Lo que escribe Colab, tomado de notebooks guardados por Colab y publicados
    en GitHub (2019–2024; p. ej. los que exporta con «Guardar una copia en
    GitHub», cuya primera celda es el badge ``view-in-github``, y el ejemplo de
    ids de Colab de la propuesta de ids de celda de Jupyter, JEP 62):

    * ``"nbformat": 4, "nbformat_minor": 0``: sin ``id`` en las celdas;
      indentado con 2 espacios y las claves en ese orden (``nbformat``,
      ``nbformat_minor``, ``metadata``, ``cells``).
    * Metadata del notebook: ``colab`` con ``provenance`` (lista de
      ``{"file_id", "timestamp"}`` del archivo de Drive del que se copió),
      ``name`` (el nombre del archivo, en versiones anteriores a 2023),
      ``authorship_tag`` (``"ABX9Ty…"``) y opciones como ``toc_visible``;
      ``accelerator`` si se eligió GPU; ``kernelspec`` reducido a
      ``{"name": "python3", "display_name": "Python 3"}`` y ``language_info``
      a ``{"name": "python"}``.
    * Metadata de cada celda: ``id`` (12 caracteres ``[A-Za-z0-9_-]``); en las
      de código ejecutadas además ``colab`` (``{"base_uri":
      "https://localhost:8080/"}``, con ``height`` si la salida es una imagen),
      ``outputId`` (un UUID) y ``executionInfo``: ``elapsed``, ``status``,
      ``timestamp``, ``user_tz`` y ``user`` con ``displayName`` (el nombre de
      la cuenta de Google, o su correo si no tiene nombre), ``photoUrl`` (la
      foto del perfil, o ``""``) y ``userId``. Las salidas quedan como están.
    * Colab conserva la demás metadata de celda (la de nbgrader incluida);
      ``strip_nbgrader=True`` reproduce los editores que la borran
      (jupyter/nbgrader#424, #1398).
    * ``github_user``: guardado con «Guardar una copia en GitHub»: la primera
      celda es la insignia «Abrir en Colab» (``metadata.id`` =
      ``view-in-github``, ``colab_type`` = ``text``) con un enlace a
      ``colab.research.google.com/github/<usuario>/…``.
    """
    rng = random.Random(seed)
    stamp = 1_732_000_000_000 + rng.randrange(10**9)
    cells = []
    for cell in nb.cells:
        meta = {k: v for k, v in cell.metadata.items() if k != "nbgrader" or not strip_nbgrader}
        meta["id"] = _colab_id(rng)
        out: dict = {"cell_type": cell.cell_type}
        if cell.cell_type == "code":
            image = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
            meta["colab"] = {"base_uri": "https://localhost:8080/", **({"height": 301} if image else {})}
            stamp += rng.randrange(2_000, 90_000)
            meta["executionInfo"] = {"elapsed": rng.randrange(5, 9_000), "status": "ok",
                                     "timestamp": stamp, "user": dict(user), "user_tz": 180}
            meta["outputId"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            out.update(execution_count=cell.get("execution_count"), metadata=meta,
                       outputs=copy.deepcopy(cell.get("outputs", [])), source=cell.source)
        else:
            out.update(metadata=meta, source=cell.source)
        cells.append(out)
    if github_user is not None:
        cells.insert(0, {"cell_type": "markdown",
                         "metadata": {"id": "view-in-github", "colab_type": "text"},
                         "source": [f'<a href="https://colab.research.google.com/github/{github_user}'
                                    f'/rnn-curso/blob/main/{name}" target="_parent"><img '
                                    'src="https://colab.research.google.com/assets/colab-badge.svg" '
                                    'alt="Open In Colab"/></a>']})
    doc = {
        "nbformat": 4, "nbformat_minor": 0,
        "metadata": {
            "colab": {"provenance": [{"file_id": "1" + _colab_id(rng) + _colab_id(rng)[:8],
                                      "timestamp": stamp - 86_400_000}],
                      "name": name, "toc_visible": True,
                      "authorship_tag": "ABX9Ty" + _colab_id(rng) + "/" + _colab_id(rng)[:9]},
            "accelerator": "GPU",
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
            "language_info": {"name": "python"},
        },
        "cells": cells,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def student_copy(source: Path, wrong: set[str] = frozenset()) -> nbformat.NotebookNode:
    """Lo que entrega un estudiante que resolvió la lección: la versión del
    estudiante (sin pruebas ocultas) con las soluciones escritas, sin los
    marcadores de nbgrader; las funciones de ``wrong``, equivocadas."""
    nb = nbformat.read(str(source), as_version=4)
    for cell in nb.cells:
        m = cell.metadata.get("nbgrader", {})
        if m.get("grade") and cell.cell_type == "code":
            cell.source = without_hidden_tests(cell.source)
        elif m.get("solution") and cell.cell_type == "code":
            if m["grade_id"] in wrong:
                cell.source = f"def {m['grade_id']}(*args, **kwargs):\n    return None\n"
            else:
                cell.source = "\n".join(ln for ln in cell.source.split("\n")
                                        if "### BEGIN SOLUTION" not in ln
                                        and "### END SOLUTION" not in ln)
    return nb
