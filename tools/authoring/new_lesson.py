"""Crea el esqueleto de una lección nueva (lo usa ``make new-lesson``).

``python -m tools.authoring.new_lesson <tarea> <NN>_<nombre> [--title "Título"]`` escribe:

* ``solutions/<tarea>/<NN>_<nombre>.ipynb`` con la anatomía completa de
  ``CONTRIBUTING.md``: título con el badge de Colab, celda ``colab``, celda
  ``setup`` bloqueada, una función de ejemplo con su solución, su celda de
  evaluación con pruebas visibles y ocultas, una demostración, una pregunta y el
  resumen; el badge y la celda de Colab los escriben las mismas funciones que
  ``make release`` (:mod:`tools.authoring.release`), así que la lección nace sincronizada.
* ``tests/wrong/l<NN>_<nombre>.py`` con respuestas equivocadas de la función de
  ejemplo, que ``tests/test_wrong_answers.py`` encuentra solo.

La función de ejemplo (``one_hot``, solo NumPy) se reemplaza por las de la
lección; el esqueleto funciona tal cual: pasa ``make release``, la corrección
automática, nbval y las respuestas equivocadas (``tests/test_scaffold.py``).
Nunca pisa una lección existente.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from tools import ROOT
from tools.authoring import nb, release

ASSIGNMENT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
NAME_RE = re.compile(r"^(\d{2})_([a-z][a-z0-9_]*)$")
FUNCTION = "one_hot"
POINTS = 2


class LessonExists(FileExistsError):
    """Ya hay una lección (o su módulo de respuestas equivocadas) con ese nombre."""


def _parse(name: str) -> tuple[str, str]:
    """``"07_gru"`` → ``("07", "gru")``; ``ValueError`` si no es ``<NN>_<nombre>``."""
    match = NAME_RE.match(name)
    if not match:
        raise ValueError(f"nombre inválido {name!r}: <NN>_<nombre> en minúsculas "
                         "(p. ej. 07_gru)")
    return match.group(1), match.group(2)


def _title_cell(number: int, title: str, badge: str):
    return nb.md("titulo", f"""
# Lección {number} — {title}

{badge}

Objetivos:

1. Representar una secuencia de tokens como vectores *one-hot*, la entrada más simple de una red
   recurrente.
2. Escribir la codificación en NumPy (`{FUNCTION}`) y verificar sus propiedades.
3. Medir cuánta memoria ocupa frente a los índices de los que sale.

Hay una función evaluada ({POINTS} puntos), con pruebas visibles; al corregir se agregan pruebas ocultas
con otros tamaños y semillas.
""")


SETUP = """
# Importaciones, semilla y constantes del modo rápido (celda bloqueada).
import numpy as np

from helpers import pick, seed_everything

seed_everything(0)
VOCAB_SIZE = pick(full=10_000, fast=50)   # tamaño del vocabulario de la demostración
"""

IDEA = """
## 1. Tokens como vectores

Una red no recibe palabras sino números. Con un vocabulario de $V$ tokens, el token de índice
$i$ se representa con el vector $e_i \\in \\{0, 1\\}^V$, que tiene un 1 en la posición $i$ y 0
en las demás. Una secuencia de índices $i_0, \\dots, i_{T-1}$ es entonces la matriz

$$X \\in \\{0, 1\\}^{T \\times V}, \\qquad X_{t,j} = [\\, j = i_t \\,].$$

Escribí la codificación.
"""

SOLUTION = f'''
def {FUNCTION}(ids, vocab_size):
    """Codificación one-hot de una secuencia de índices de tokens.

    ids: enteros de forma (T,), cada uno en [0, vocab_size).
    Devuelve un arreglo de floats de forma (T, vocab_size) con un 1 en la
    columna ids[t] de la fila t y 0 en el resto.
    """
    ### BEGIN SOLUTION
    ids = np.asarray(ids)
    out = np.zeros((len(ids), vocab_size))
    out[np.arange(len(ids)), ids] = 1.0
    return out
    ### END SOLUTION
'''

TESTS = f"""
from helpers.checks import check_close, check_equal, check_shape

X = {FUNCTION}(np.array([2, 0, 2]), 4)
check_shape(X, (3, 4), "{FUNCTION}([2, 0, 2], 4)")
check_close(X, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 1, 0]], "{FUNCTION}([2, 0, 2], 4)")
print("✔ {FUNCTION}: forma y valores del ejemplo escrito a mano")

### BEGIN HIDDEN TESTS
rng = np.random.default_rng(7)
for T, V in [(1, 1), (5, 3), (20, 50), (4, 9)]:
    ids = rng.integers(0, V, T)
    X = {FUNCTION}(ids, V)
    check_shape(X, (T, V), f"{FUNCTION}(ids de largo {{T}}, {{V}})")
    check_close(X.sum(axis=1), np.ones(T), f"suma de cada fila de {FUNCTION}(ids, {{V}})")
    check_equal(X.argmax(axis=1).tolist(), ids.tolist(),
                f"posición del 1 en cada fila de {FUNCTION}(ids, {{V}})")
### END HIDDEN TESTS
"""

DEMO = f"""
ids = np.random.default_rng(0).integers(0, VOCAB_SIZE, size=8)
X = {FUNCTION}(ids, VOCAB_SIZE)
print(f"ids: {{ids.tolist()}}")
print(f"forma de X: {{X.shape}}; unos por fila: {{X.sum(axis=1).astype(int).tolist()}}")
print(f"memoria: {{X.nbytes}} bytes de X contra {{ids.nbytes}} bytes de los índices "
      f"({{X.nbytes / ids.nbytes:.0f}} veces más)")
"""

QUESTION = """
> **Para pensar.** Multiplicar $X$ por una matriz de pesos $W \\in \\mathbb{R}^{V \\times d}$
> selecciona filas de $W$. ¿Por qué una capa `Embedding` guarda solo los índices en lugar de
> construir $X$?
>
> <details><summary>Respuesta</summary>
>
> Porque $X W$ tiene en la fila $t$ exactamente la fila $i_t$ de $W$: leer esa fila da el mismo
> resultado sin construir una matriz $V$ veces más grande que los índices (la celda de arriba
> mide cuánto) ni hacer multiplicaciones por ceros.
>
> </details>
"""

SUMMARY = f"""
## Resumen

* Un token de índice $i$ es el vector one-hot $e_i$; una secuencia de $T$ tokens, una matriz
  $T \\times V$ con un único 1 por fila.
* `{FUNCTION}` la construye con indexación de NumPy, sin ciclos.
* La matriz ocupa $V$ veces más lugar que los índices (la celda de arriba lo mide): por eso las
  redes guardan índices y seleccionan filas de una matriz de pesos.
"""


def notebook(assignment: str, name: str, title: str, root: Path = ROOT):
    """El notebook fuente de la lección ``<assignment>/<name>.ipynb``."""
    number = int(_parse(name)[0])
    url = release.repo_url(root)
    release_path = f"{release.RELEASE}/{assignment}/{name}.ipynb"
    return nb.new_notebook([
        _title_cell(number, title, release.badge_line(url, release_path)),
        nb.code(release.COLAB_CELL_ID, release.colab_cell_source(url)),
        nb.setup(SETUP),
        nb.md("one_hot_md", IDEA),
        nb.solution(FUNCTION, SOLUTION),
        nb.tests(f"test_{FUNCTION}", TESTS, points=POINTS),
        nb.code("one_hot_demo", DEMO),
        nb.md("one_hot_pregunta", QUESTION),
        nb.md("resumen", SUMMARY),
    ])


def wrong_module(assignment: str, name: str, title: str) -> str:
    """El módulo ``tests/wrong/l<NN>_<nombre>.py`` de la lección."""
    number = _parse(name)[0]
    return f'''"""Respuestas equivocadas plausibles de la lección {number} ({title}).

Cada función imita un error típico; su docstring dice cuál. Son autocontenidas
(solo NumPy): el arnés las pone en lugar de la solución del docente.
"""

from __future__ import annotations

import numpy as np

NOTEBOOK = "{assignment}/{name}.ipynb"


# ------------------------------------------------------------------- {FUNCTION}

def one_hot_transpuesta(ids, vocab_size):
    """Devuelve la matriz transpuesta, de forma (vocab_size, T)."""
    ids = np.asarray(ids)
    out = np.zeros((vocab_size, len(ids)))
    out[ids, np.arange(len(ids))] = 1.0
    return out


def one_hot_corrida(ids, vocab_size):
    """Corrida un lugar: trata los índices como si empezaran en 1 (ids - 1)."""
    return np.eye(vocab_size)[np.asarray(ids) - 1]


def one_hot_vocabulario_observado(ids, vocab_size):
    """Usa como vocabulario los índices vistos (max(ids) + 1 columnas) e ignora vocab_size."""
    ids = np.asarray(ids)
    return np.eye(int(ids.max()) + 1)[ids]


WRONG = {{
    "{FUNCTION}": [one_hot_transpuesta, one_hot_corrida, one_hot_vocabulario_observado],
}}
'''


def paths(assignment: str, name: str, root: Path = ROOT) -> tuple[Path, Path]:
    number, stem = _parse(name)
    return (root / release.SOURCE / assignment / f"{name}.ipynb",
            root / "tests" / "wrong" / f"l{number}_{stem}.py")


def create(assignment: str, name: str, title: str | None = None,
           root: Path = ROOT) -> tuple[Path, Path]:
    """Escribe el notebook y el módulo de respuestas equivocadas; devuelve sus rutas."""
    if not ASSIGNMENT_RE.match(assignment):
        raise ValueError(f"tarea inválida {assignment!r}: minúsculas, números y '_' "
                         "(p. ej. clase_rnn)")
    number, stem = _parse(name)
    title = title or stem.replace("_", " ").capitalize()
    notebook_path, wrong_path = paths(assignment, name, root)
    for path in (notebook_path, wrong_path):
        if path.exists():
            raise LessonExists(f"{path.relative_to(root)} ya existe: no se pisa una lección")
    same_number = sorted(p.name for p in notebook_path.parent.glob(f"{number}_*.ipynb"))
    if same_number:
        raise LessonExists(f"{release.SOURCE}/{assignment} ya tiene la lección {number}: "
                           + ", ".join(same_number))
    source = notebook(assignment, name, title, root)
    nb.write(source, notebook_path)
    _state_time(notebook_path)
    wrong_path.write_text(wrong_module(assignment, name, title), encoding="utf-8")
    return notebook_path, wrong_path


def _state_time(path: Path) -> None:
    """Agrega al título el párrafo «**Tiempo.**» con los minutos que calcula
    :mod:`tools.authoring.estimate_time` (``tests/test_lesson_times.py`` lo exige). El
    párrafo también se lee, así que se recalcula hasta que no cambia."""
    from tools.authoring import estimate_time

    base = None
    for _ in range(5):
        source = nbformat.read(str(path), as_version=4)
        title = source.cells[0]
        if base is None:
            base = title.source.rstrip("\n")
        core, exercises, optional = estimate_time.computed(path)
        statement = estimate_time.STATEMENT_TEMPLATE.format(
            core=core, exercises=exercises, optional=optional)
        new = f"{base}\n\n{statement}\n"
        if title.source == new:
            return
        title.source = new
        nb.write(source, path)
    raise RuntimeError(f"{path}: los minutos del título no se estabilizan")


def next_steps(notebook_path: Path, wrong_path: Path, root: Path = ROOT) -> str:
    nb_rel, wrong_rel = notebook_path.relative_to(root), wrong_path.relative_to(root)
    return f"""Creados {nb_rel} y {wrong_rel}.

Siguientes pasos (CONTRIBUTING.md, «Agregar una lección»):
  1. make lab y escribí la lección en {nb_rel}: reemplazá el
     ejemplo `{FUNCTION}` por las funciones de la lección. Celdas evaluadas nuevas:
     panel Create Assignment de nbgrader (barra lateral derecha); solución con
     ID = nombre de la función; evaluación con ID = test_<función> (o
     test_<función>__<sufijo>), bloqueada y con puntos.
  2. make fix-ids: pone el id de cada celda de nbgrader igual a su grade_id
     (JupyterLab no deja elegir el id; la corrección automática lo necesita).
  3. En {wrong_rel}, respuestas equivocadas plausibles de cada función evaluada.
  4. make release y commitear {release.SOURCE}/, {release.RELEASE}/, tests/wrong/ y README.md.
  5. make test; make solutions (salidas reales en modo completo) y commitear."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", help="tarea (carpeta de solutions/), p. ej. clase_rnn")
    parser.add_argument("name", help="<NN>_<nombre> del notebook, p. ej. 07_gru")
    parser.add_argument("--title", default=None, help="título de la lección")
    args = parser.parse_args(argv)
    try:
        created = create(args.assignment, args.name, args.title)
    except (ValueError, LessonExists) as exc:
        print(f"new-lesson: {exc}", file=sys.stderr)
        return 1
    print(next_steps(*created))
    return 0


if __name__ == "__main__":
    sys.exit(main())
