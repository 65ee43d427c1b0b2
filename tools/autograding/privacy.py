"""Datos personales que guardan Colab y otros editores: fuera de la copia corregida y de la devolución."""

from __future__ import annotations

import re
from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

# --------------------------------------------------------------------------
# Datos personales que guardan Colab y otros editores
# --------------------------------------------------------------------------

#: Metadata de celda que se conserva: la de nbgrader y la de presentación de
#: Jupyter. Todo lo demás se borra (Colab: ``executionInfo`` con nombre,
#: ``userId`` y foto del usuario, ``id``, ``outputId``, ``colab``).
KEEP_CELL_METADATA = frozenset({"nbgrader", "tags", "jupyter", "editable", "deletable",
                                "collapsed", "scrolled", "slideshow"})
#: Metadata del notebook que se conserva (``colab``, ``accelerator``,
#: ``widgets`` y cualquier otra cosa se borran). ``rnn_grading`` tampoco: la
#: escribe la corrección, no el estudiante.
KEEP_NOTEBOOK_METADATA = frozenset({"kernelspec", "language_info"})


#: El enlace de la insignia «Abrir en Colab» que agrega Colab al guardar en
#: GitHub: ``colab.research.google.com/github/<usuario>/<repo>/blob/…``.
COLAB_GITHUB = re.compile(r"(colab\.research\.google\.com/github/)[^/\s\"'<>]+/")
#: Una celda que no es más que la insignia (``<a href=…><img src=…colab-badge.svg…/></a>``
#: o su versión en Markdown).
_BADGE_ONLY = re.compile(
    r"^\s*(?:<a\b[^>]*colab\.research\.google\.com[^>]*>\s*<img\b[^>]*>\s*</a>"
    r"|\[!\[[^\]]*\]\([^)]*colab-badge[^)]*\)\]\([^)]*colab\.research\.google\.com[^)]*\))\s*$",
    re.IGNORECASE | re.DOTALL)


def is_colab_badge(cell: NotebookNode) -> bool:
    """¿Es la celda de la insignia «Abrir en Colab» (sin nada más)?"""
    source = cell.get("source", "")
    return (cell.get("cell_type") == "markdown" and not cell.get("metadata", {}).get("nbgrader")
            and bool(_BADGE_ONLY.match(source)))


def redact_colab_user(text: str) -> str:
    """El enlace a Colab sin el usuario de GitHub del estudiante."""
    return COLAB_GITHUB.sub(r"\1usuario/", text)


class StripPersonalData(NbGraderPreprocessor):
    """Borra la metadata que no es de Jupyter ni de nbgrader (lista blanca).

    También borra la celda de la insignia «Abrir en Colab» (con el usuario de
    GitHub del estudiante) y el usuario de cualquier otro enlace a Colab.

    Va en el pipeline de saneamiento de ``autograde`` (la copia corregida ya
    no tiene datos personales) y en ``generate_feedback`` (por si la copia se
    corrigió antes). Las salidas de la entrega no llegan a la copia corregida:
    ``ClearOutput`` las borra antes.
    """

    def preprocess(self, nb: NotebookNode, resources: Any) -> tuple[NotebookNode, Any]:
        # La insignia «Abrir en Colab» lleva el usuario de GitHub: fuera la
        # celda entera si es solo eso, y el usuario de cualquier otro enlace.
        nb.cells = [c for c in nb.cells if not is_colab_badge(c)]
        for cell in nb.cells:
            if cell.get("cell_type") == "markdown" and "colab.research.google.com" in cell.source:
                cell.source = redact_colab_user(cell.source)
        for key in list(nb.metadata):
            if key not in KEEP_NOTEBOOK_METADATA:
                del nb.metadata[key]
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int
                        ) -> tuple[NotebookNode, Any]:
        for key in list(cell.get("metadata", {})):
            if key not in KEEP_CELL_METADATA:
                del cell.metadata[key]
        return cell, resources
