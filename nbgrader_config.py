# Configuración de nbgrader del curso. nbgrader la busca en el directorio
# actual: ejecutá nbgrader siempre desde la raíz del repositorio (o usá `make`).
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "rnn-pln"
c.CourseDirectory.source_directory = "solutions"   # notebooks del docente (fuente)
c.CourseDirectory.release_directory = "notebooks"  # versión del estudiante (generada)

# Tiempo máximo por celda al corregir: un bucle infinito cuesta solo esa celda.
c.Execute.timeout = 120
# Al terminar de ejecutar un notebook (las salidas ya llegaron), el kernel se
# mata en vez de pedirle que se apague: con TensorFlow importado, el apagado
# ordenado cuesta ~1,7 s y ~1,9 s de CPU por notebook corregido (finalizar
# los módulos de TF), para nada. Mata el grupo de procesos (también el kernel
# aislado de SANDBOX=1).
c.Execute.shutdown_kernel = "immediate"

# Si el estudiante borra una celda de evaluación, nbgrader la vuelve a poner.
c.OverwriteCells.add_missing_cells = True

# Lo que ve el estudiante en lugar de la solución.
c.ClearSolutions.code_stub = {"python": "# TU CÓDIGO AQUÍ\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "TU RESPUESTA AQUÍ"

# Agujeros de nbgrader 0.9 cerrados por el curso (ver tools/autograding/):
# metadata borrada, interrupciones ignoradas, comprobaciones pisadas, y pruebas
# ocultas visibles en la devolución.
# La maquinaria de corrección vive en tools/ (no se instala con los helpers del
# estudiante): la raíz del repositorio va al path. En un curso copiado a otra
# carpeta, tools.grading la pone en PYTHONPATH.
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

_ROOT = str(Path(__file__).resolve().parent)  # noqa: F821 - traitlets define __file__
if (Path(_ROOT) / "tools" / "autograding").is_dir() and _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tools.autograding import (  # noqa: E402
    HideHiddenTests, OverwriteCellsById, RobustExecute, StripPersonalData)
from nbgrader.converters import Autograde, GenerateFeedback  # noqa: E402
from nbgrader.preprocessors import ClearOutput, Execute, OverwriteCells  # noqa: E402


def _default(cls, name):
    return list(cls.class_traits()[name].default())


def _swap(pipeline, old, new):
    assert old in pipeline, f"{old.__name__} ya no está en el pipeline de nbgrader"
    return [new if p is old else p for p in pipeline]


def _after(pipeline, anchor, new):
    assert anchor in pipeline, f"{anchor.__name__} ya no está en el pipeline de nbgrader"
    i = pipeline.index(anchor) + 1
    return [*pipeline[:i], new, *pipeline[i:]]


# Saneamiento de la entrega: sin salidas, sin la metadata que agregan Colab y
# otros editores (datos personales), y con las celdas de nbgrader reconocidas
# aunque les falte la metadata (por id o por contenido).
c.Autograde.sanitize_preprocessors = _after(_swap(
    _default(Autograde, "sanitize_preprocessors"), OverwriteCells, OverwriteCellsById),
    ClearOutput, StripPersonalData)
c.Autograde.autograde_preprocessors = _swap(
    _default(Autograde, "autograde_preprocessors"), Execute, RobustExecute)
c.GenerateFeedback.preprocessors = [StripPersonalData, HideHiddenTests,
                                    *_default(GenerateFeedback, "preprocessors")]

# La devolución en castellano, con el mecanismo de plantillas de nbgrader: la
# plantilla «feedback_es» (tools/autograding/templates/) hereda la «feedback» de
# nbgrader y traduce lo que ve el estudiante (encabezados, puntajes, celdas).
# El archivo principal tiene otro nombre para poder extender el index.html.j2
# de nbgrader, que está en la carpeta de la plantilla base.
import nbgrader  # noqa: E402
import tools.autograding  # noqa: E402

c.HTMLExporter.template_name = "feedback_es"
c.HTMLExporter.template_file = "espanol.html.j2"
c.HTMLExporter.extra_template_basedirs = [
    str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"),
    str(Path(tools.autograding.__file__).parent / "templates"),
]
