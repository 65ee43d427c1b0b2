"""Extensiones de nbgrader que cierran agujeros de la corrección automática.

Las registra ``nbgrader_config.py``; no las usa el estudiante. Requieren nbgrader
(extra ``lab``).

* :class:`OverwriteCellsById`: si el estudiante (o su editor) borró la metadata
  de nbgrader de una celda, la celda se reconoce por su ``id`` (en la fuente, el
  id de cada celda de nbgrader es su ``grade_id``) o, si tampoco tiene id (un
  notebook guardado por Colab), por su contenido y su posición; después se
  restaura desde la gradebook como cualquier otra.
* :class:`StripPersonalData`: la copia corregida y la devolución no llevan la
  metadata que agregan Colab y otros editores (nombre, ``userId`` y foto del
  usuario en ``executionInfo``, entre otras).
* :class:`RobustExecute`: si un bucle con ``except:`` pelado se traga la
  interrupción del timeout, el kernel se reinicia, se vuelven a ejecutar (sin
  mostrar nada) las celdas anteriores que terminaron, la celda colgada queda con
  un error que lo explica y la corrección sigue. Además, antes de cada celda de
  evaluación se descargan los módulos ``helpers.*``: la celda vuelve a importar
  las comprobaciones desde el disco, aunque el estudiante las haya pisado.
* :class:`HideHiddenTests`: la devolución (HTML de ``generate_feedback``)
  muestra los resultados sin el código de las pruebas ocultas ni los
  tracebacks que lo citan.
"""

from tools.autograding.cells import (
    CONTENT_NOTE,
    DEFINES,
    MIN_ANCHORS,
    NEAR,
    NOTES_KEY,
    OverwriteCellsById,
    RefCell,
    UnrecognizedSubmission,
    add_note,
    align,
    similarity,
    without_hidden_tests,
)
from tools.autograding.execute import KERNEL_RESTARTED, RESET_HELPERS, RobustExecute
from tools.autograding.feedback import HIDDEN_FAILED, HideHiddenTests, hidden_message
from tools.autograding.markers import BEGIN_HIDDEN, END_HIDDEN, hidden_line_range
from tools.autograding.privacy import KEEP_CELL_METADATA, KEEP_NOTEBOOK_METADATA, StripPersonalData
from tools.autograding.tampering import PROTECTED_MODULES, find_tampering

__all__ = [
    "BEGIN_HIDDEN", "CONTENT_NOTE", "END_HIDDEN", "HIDDEN_FAILED", "KEEP_CELL_METADATA",
    "KEEP_NOTEBOOK_METADATA", "KERNEL_RESTARTED", "MIN_ANCHORS", "NEAR", "NOTES_KEY",
    "PROTECTED_MODULES", "RESET_HELPERS", "HideHiddenTests", "OverwriteCellsById", "RefCell",
    "DEFINES", "RobustExecute", "StripPersonalData", "UnrecognizedSubmission", "add_note",
    "align", "find_tampering", "hidden_line_range", "hidden_message", "similarity", "without_hidden_tests",
]
