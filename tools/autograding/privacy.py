"""Datos personales que guardan Colab y otros editores: fuera de la copia corregida y de la devolución."""

from __future__ import annotations

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


class StripPersonalData(NbGraderPreprocessor):
    """Borra la metadata que no es de Jupyter ni de nbgrader (lista blanca).

    Va en el pipeline de saneamiento de ``autograde`` (la copia corregida ya
    no tiene datos personales) y en ``generate_feedback`` (por si la copia se
    corrigió antes). Las salidas de la entrega no llegan a la copia corregida:
    ``ClearOutput`` las borra antes.
    """

    def preprocess(self, nb: NotebookNode, resources: Any) -> tuple[NotebookNode, Any]:
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
