"""La devolución que lee el estudiante, con nbgrader de verdad en un curso chico.

Una tarea de un ejercicio cuya celda de evaluación tiene una parte visible y
casos ocultos con nombre (``helpers.checks.case``), y una entrega que pasa lo
visible y falla un caso oculto. La página de ``generate_feedback``:

* está en castellano de punta a punta (la plantilla ``feedback_es`` de
  ``tools/autograding/templates``, por el mecanismo de plantillas de nbgrader):
  ninguno de los textos en inglés de la plantilla de nbgrader;
* nombra el caso oculto que falló, con lo esperado y lo obtenido, y los puntos
  perdidos, sin mostrar el código oculto.
"""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest

from tools import ROOT, grading
from tools.authoring import nb as nbtools

# La fixture de módulo (un curso corregido con nbgrader) se arma una sola vez:
# las dos pruebas van al mismo proceso de xdist (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("feedback_page")

SOLUTION = '''def duplicar(xs):
    """Devuelve una lista nueva con cada elemento de xs dos veces seguidas.
    Con xs vacía devuelve []."""
    ### BEGIN SOLUTION
    return [x for x in xs for _ in range(2)]
    ### END SOLUTION'''

TESTS = '''from helpers import checks
from helpers.checks import check_equal

check_equal(duplicar([1, 2]), [1, 1, 2, 2], "duplicar([1, 2])")
print("✔ duplicar")
### BEGIN HIDDEN TESTS
with checks.case("lista de un elemento"):
    check_equal(duplicar([7]), [7, 7], "duplicar([7])")
with checks.case("tres elementos repetidos"):
    check_equal(duplicar([3, 3, 4]), [3, 3, 3, 3, 4, 4], "duplicar([3, 3, 4])")
### END HIDDEN TESTS'''

WRONG = '''def duplicar(xs):
    """Devuelve una lista nueva con cada elemento de xs dos veces seguidas."""
    return [xs[0], xs[0]] + [xs[1], xs[1]] if len(xs) > 1 else xs * 2'''

ENGLISH = ["Test cell", "Score:", "Student's answer", "Grade cell", "(Top)",
           "Coding free-response", "Written response", "Late submission", "Comments:"]


def _notebook(solution: str) -> nbformat.NotebookNode:
    return nbtools.new_notebook([
        nbtools.md("titulo", "# Ejemplo"),
        nbtools.setup("import numpy as np"),
        nbtools.solution("duplicar", solution),
        nbtools.tests("test_duplicar", TESTS, 2),
    ])


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    course = tmp_path_factory.mktemp("curso")
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    nbtools.write(_notebook(SOLUTION), course / "solutions" / "tarea" / "ejemplo.ipynb")
    student = _notebook(SOLUTION)
    student.cells[2].source = WRONG    # la celda de la solución, con la respuesta equivocada
    nbtools.write(student, course / "submitted" / "ana" / "tarea" / "ejemplo.ipynb")
    assert grading.main(["--course", str(course), "--jobs", "1", "--no-progress"]) == 0
    proc = grading.nbgrader(course, "generate_feedback", "tarea", "--student=ana")
    assert proc.returncode == 0, proc.stderr
    return (course / "feedback" / "ana" / "tarea" / "ejemplo.html").read_text(encoding="utf-8")


def _text(html_page: str) -> str:
    """El texto de la página, sin etiquetas ni estilos."""
    body = re.sub(r"<style.*?</style>|<script.*?</script>", "", html_page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_the_page_is_in_spanish(page: str) -> None:
    text = _text(page)
    left = [w for w in ENGLISH if w in text]
    assert not left, f"textos de nbgrader sin traducir en la devolución: {left}"
    for spanish in ["puntaje: 0.0 de 2.0", "Tu respuesta", "Prueba:", "(arriba)",
                    "perdiste 2.0"]:
        assert spanish in text, f"falta «{spanish}» en la devolución"


def test_the_failed_hidden_case_is_named_without_its_code(page: str) -> None:
    text = _text(page).replace("&amp;", "&").replace("&#171;", "«").replace("&#187;", "»")
    assert "Falló una prueba oculta. Caso «tres elementos repetidos»" in text
    assert "se esperaba [3, 3, 3, 3, 4, 4]" in text
    assert "duplicar([3, 3, 4])" in text        # lo llamado, en el mensaje del caso
    assert "checks.case" not in text and "lista de un elemento" not in text, (
        "la devolución muestra el código oculto")
    assert "pruebas ocultas: no se muestran" in text
