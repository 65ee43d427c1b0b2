"""Corrige una clase con nbgrader (``make autograde``): en paralelo, incremental y reanudable.

Cada entrega (``submitted/<estudiante>/<tarea>/``) es un *trabajo* que corre
``nbgrader autograde`` sin modificar en su propio curso descartable, con una
copia de la gradebook (ver :mod:`tools.grading.jobs`). Los trabajos corren en un pool
local de procesos (``--jobs N``, por omisión tantos como núcleos) o en un
clúster de Dask ya levantado (``--scheduler tcp://HOST:PUERTO``). Un único
coordinador (este proceso):

* calcula la **clave** de cada trabajo: hash de los archivos entregados, del
  código fuente de la tarea, de la configuración de nbgrader y de las
  versiones instaladas (y del código del curso que corre al corregir);
* no vuelve a corregir lo que ya tiene resultado para esa clave en
  ``<curso>/.grading/results/`` (``--regrade`` fuerza todo, ``--student ID``
  corrige solo a esos estudiantes);
* guarda cada resultado de forma atómica apenas termina, lo fusiona en
  ``gradebook.db`` por nombres en una transacción (:mod:`tools.grading.gradebook_merge`:
  lo que el docente puso a mano en formgrader sobrevive) y mueve
  ``autograded/<estudiante>/<tarea>`` a su lugar de una vez;
* muestra una barra de progreso (entregas, tiempo restante, fallas), corre
  primero las entregas que la vez anterior tardaron más, e imprime la tabla
  de puntajes con observaciones y la guarda en ``grades.csv``.

Un ``kill -9`` en cualquier momento pierde a lo sumo los trabajos en curso: la
próxima corrida fusiona lo que ya estaba guardado y corre solo lo que faltaba.

Por defecto corrige en modo rápido (``COURSE_FAST=1``; ``--full`` no), y con
``--sandbox`` lanza cada kernel aislado (ver :mod:`tools.grading.sandbox`). Con varias
entregas por corregir, corre una vez las soluciones de la tarea (en el pool, a
la par de las primeras entregas) para llenar la caché de datos y modelos que
reciben (copiada) los trabajos siguientes.
``--feedback`` genera las devoluciones HTML (``feedback/``), también en paralelo.
"""

from tools.grading.cli import main, parse_args
from tools.grading.coordinator import Coordinator
from tools.grading.grades_table import Row, collect, format_table, write_csv
from tools.grading.jobs import review
from tools.grading.planning import Assignment, Task, autograde, ensure_gradebook
from tools.grading.pools import cpu_count
from tools.grading.processes import nbgrader
from tools.grading.results_store import STATE_DIR, Store, course_lock

__all__ = [
    "STATE_DIR", "Assignment", "Coordinator", "Row", "Store", "Task", "autograde", "collect",
    "course_lock", "cpu_count", "ensure_gradebook", "format_table", "main", "nbgrader",
    "parse_args", "review", "write_csv",
]
