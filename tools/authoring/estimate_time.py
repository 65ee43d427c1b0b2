"""Estimar cuántos minutos de trabajo del estudiante lleva cada lección.

Un solo método, determinista, sobre el notebook fuente (``solutions/``):

* **Lectura.** Cada palabra de las celdas markdown del recorrido central, a
  ``WORDS_PER_MINUTE`` = 105 palabras por minuto (prosa técnica en castellano,
  con fórmulas). Los bloques desplegables ``<details>…</details>`` no son del
  recorrido central: las respuestas modelo que el estudiante abre si quiere no
  se cuentan, y un bloque cuyo ``<summary>`` contiene
  ``Para profundizar (opcional)`` cuenta en la parte opcional.
* **Celdas de código.** ``MINUTES_PER_CELL`` = 0.6 minutos por celda de código
  del recorrido central que no es una solución ni una evaluación (leerla y
  correrla). La celda ``colab`` no cuenta (fuera de Colab no hace nada). El
  tiempo de cómputo de un entrenamiento largo no se cuenta: la prosa invita a
  leer mientras corre.
* **Preguntas.** ``MINUTES_PER_QUESTION`` = 1.25 minutos por cada «**Para pensar**»
  del recorrido central (fuera de los ``<details>``).
* **Ejercicios.** Por cada celda de solución (evaluada, o de un ejercicio
  opcional, cuya prueba visible no suma puntos), ``MINUTES_PER_LINE`` =
  3.5 minutos por línea de código escrita (las líneas no vacías y que no son
  comentarios entre ``### BEGIN SOLUTION`` y ``### END SOLUTION``), con un
  mínimo de ``MIN_MINUTES_PER_EXERCISE`` = 6 minutos. Incluye leer el
  enunciado, escribir, correr las pruebas visibles y corregir.

**Calibración** (dos mediciones). La primera (issue #11): un estudiante
resolvió las seis lecciones en 7 a 10 horas, con 144 líneas de ejercicios;
daba 3 minutos por línea y 130 palabras por minuto. La segunda (issue #17): un
estudiante resolvió las lecciones 01–06 de la versión con esqueletos en 90, 35,
30, 60, 65 y 35 minutos (315 en total), donde el método anterior decía 260. Un
ajuste por mínimos cuadrados de esos seis tiempos con dos factores, uno para
lectura, celdas y preguntas (110 minutos según el método anterior) y otro para
los ejercicios (163 minutos), da 1.23 y 1.15: de ahí 130/1.23 ≈ 105 palabras
por minuto, 0.6 minutos por celda, 1.25 por pregunta, 3.5 minutos por línea y
6 como mínimo por ejercicio. Con esos valores las seis lecciones de entonces
suman 327 minutos sin redondear (315 medidos): el método queda algo del lado
largo.

Los minutos se redondean a múltiplos de 5 (``ROUND_TO``): más precisión que
esa el método no tiene. Una parte que no está vacía cuenta al menos 5 minutos.

**Recorrido central y partes opcionales.** Una sección es opcional si su
encabezado markdown (una línea que empieza con ``#``) contiene
``Para profundizar (opcional)``. Lo es hasta el próximo encabezado del mismo
nivel o de nivel superior (igual o menos ``#``) que no lo contenga; todo lo que
hay en el medio (markdown, código, ejercicios) es opcional. Dentro de una
sección central, un párrafo opcional va en un ``<details>`` con ese texto en el
``<summary>``. El resto es el recorrido central.

Uso: ``python -m tools.authoring.estimate_time [notebook.ipynb …]`` (sin argumentos,
todas las lecciones de ``solutions/``). ``tests/test_lesson_times.py`` comprueba
que el título de cada lección dice los minutos que calcula este módulo.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tools import ROOT

WORDS_PER_MINUTE = 105
MINUTES_PER_CELL = 0.6
MINUTES_PER_QUESTION = 1.25
MINUTES_PER_LINE = 3.5
MIN_MINUTES_PER_EXERCISE = 6.0
ROUND_TO = 5

OPTIONAL_MARK = "Para profundizar (opcional)"
QUESTION_MARK = "**Para pensar"

_HEADING = re.compile(r"^(#{1,6})\s")
_DETAILS = re.compile(r"<details>.*?</details>", re.S)


@dataclass
class Part:
    """Lo que cuenta el método en el recorrido central o en la parte opcional."""
    words: int = 0
    cells: int = 0
    questions: int = 0
    exercises: dict[str, int] = field(default_factory=dict)   # función -> líneas

    def exercise_minutes(self) -> float:
        return sum(max(MIN_MINUTES_PER_EXERCISE, MINUTES_PER_LINE * n)
                   for n in self.exercises.values())

    def minutes(self) -> float:
        return (self.words / WORDS_PER_MINUTE + MINUTES_PER_CELL * self.cells
                + MINUTES_PER_QUESTION * self.questions + self.exercise_minutes())

    def rounded(self) -> int:
        """Minutos totales, redondeados a ``ROUND_TO``."""
        return round_minutes(self.minutes())

    def rounded_exercises(self) -> int:
        """Minutos de los ejercicios evaluados, redondeados a ``ROUND_TO``."""
        return round_minutes(self.exercise_minutes())


def round_minutes(minutes: float) -> int:
    if minutes <= 0:
        return 0
    return max(ROUND_TO, int(ROUND_TO * round(minutes / ROUND_TO)))


# Lo que dice el título de cada lección (``stated``): el párrafo «**Tiempo.**».
STATEMENT = re.compile(
    r"\*\*Tiempo\.\*\* El recorrido central lleva unos \*\*(\d+) minutos\*\*: unos (\d+) son "
    r"los ejercicios evaluados .*? suman unos \*\*(\d+) minutos\*\* más\.")
STATEMENT_TEMPLATE = (
    "**Tiempo.** El recorrido central lleva unos **{core} minutos**: unos {exercises} son "
    "los ejercicios evaluados y el resto es leer, correr las celdas y pensar las preguntas. "
    "Las secciones *Para profundizar (opcional)* suman unos **{optional} minutos** más.")


@dataclass
class Estimate:
    core: Part
    optional: Part


def solution_lines(source: str) -> int:
    """Líneas de código (no vacías, no comentarios) entre BEGIN y END SOLUTION."""
    inside, n = False, 0
    for line in source.splitlines():
        text = line.strip()
        if text.startswith("### BEGIN SOLUTION"):
            inside = True
        elif text.startswith("### END SOLUTION"):
            inside = False
        elif inside and text and not text.startswith("#"):
            n += 1
    return n


def _optional_check(nbgrader: dict) -> bool:
    """La prueba visible (bloqueada, sin puntos) de un ejercicio opcional: es
    parte del ejercicio, no una celda de demostración."""
    return bool(nbgrader.get("locked")) and str(nbgrader.get("grade_id", "")).startswith("test_")


def _optional_level(line: str, level: int | None) -> int | None:
    """Nivel de la sección opcional abierta después de leer ``line``."""
    heading = _HEADING.match(line)
    if not heading:
        return level
    new = len(heading.group(1))
    if OPTIONAL_MARK in line:
        return new if level is None or new <= level else level
    return None if level is not None and new <= level else level


def _read_markdown(source: str, core: Part, optional: Part, level: int | None) -> int | None:
    """Cuenta palabras y preguntas de una celda markdown; devuelve el nivel opcional."""
    for block in _DETAILS.findall(source):
        if OPTIONAL_MARK in block.split("</summary>")[0]:
            optional.words += len(block.split())
            optional.questions += block.count(QUESTION_MARK)
    for line in _DETAILS.sub("", source).splitlines():
        level = _optional_level(line, level)
        part = core if level is None else optional
        part.words += len(line.split())
        part.questions += line.count(QUESTION_MARK)
    return level


def estimate(path: str | Path) -> Estimate:
    """Recorre las celdas en orden y reparte cada cosa entre central y opcional."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    core, optional = Part(), Part()
    level: int | None = None      # nivel del encabezado opcional abierto, si hay uno
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            level = _read_markdown(source, core, optional, level)
            continue
        if cell["cell_type"] != "code" or cell.get("id") == "colab":
            continue
        part = core if level is None else optional
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if nbgrader.get("solution"):
            part.exercises[nbgrader["grade_id"]] = solution_lines(source)
        elif not nbgrader.get("grade") and not _optional_check(nbgrader):
            part.cells += 1
    return Estimate(core, optional)


def stated(path: str | Path) -> tuple[int, int, int] | None:
    """(central, ejercicios, opcional) que dice el título, o None si no lo dice
    con la forma de ``STATEMENT_TEMPLATE`` (los saltos de línea dan igual)."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    title = " ".join("".join(cells[0]["source"]).split())
    found = STATEMENT.findall(title)
    if len(found) != 1:
        return None
    core, exercises, optional = (int(n) for n in found[0])
    return core, exercises, optional


def computed(path: str | Path) -> tuple[int, int, int]:
    """(central, ejercicios, opcional) que calcula el método, en minutos."""
    est = estimate(path)
    return est.core.rounded(), est.core.rounded_exercises(), est.optional.rounded()


def write_statement(path: str | Path) -> bool:
    """Pone en el título los minutos que calcula el método; ``True`` si cambió."""
    import nbformat

    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    title = nb.cells[0].source
    core, exercises, optional = computed(path)
    new = STATEMENT_TEMPLATE.format(core=core, exercises=exercises, optional=optional)
    pattern = re.compile(STATEMENT.pattern.replace(" ", r"\s+"), re.S)
    if not pattern.search(title):
        raise SystemExit(f"{path}: el título no tiene el párrafo «Tiempo.» para reemplazar")
    updated = pattern.sub(lambda _m: new, title, count=1)
    if updated == title:
        return False
    nb.cells[0].source = updated
    nbformat.write(nb, str(path))
    return True


LESSON_NAME = re.compile(r"^[0-9][0-9]_.*\.ipynb$")


def lessons() -> list[Path]:
    """Las lecciones (``NN_nombre.ipynb``); el desafío, abierto, no lleva estimación."""
    return sorted(p for p in ROOT.glob("solutions/*/*.ipynb") if LESSON_NAME.match(p.name))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--write", action="store_true",
                        help="reescribe el párrafo «Tiempo.» del título con lo calculado")
    args = parser.parse_args(argv)
    if args.write:
        for path in args.notebooks or lessons():
            if write_statement(path):
                print(f"{path}: título actualizado")
    total_core = total_optional = 0
    for path in args.notebooks or lessons():
        est = estimate(path)
        total_core += est.core.rounded()
        total_optional += est.optional.rounded()
        for name, part in (("central", est.core), ("opcional", est.optional)):
            exercises = ", ".join(f"{f} {n}" for f, n in part.exercises.items()) or "-"
            print(f"{path.name:40s} {name:8s} {part.rounded():4d} min "
                  f"({part.minutes():5.1f}: {part.words} palabras, {part.cells} celdas, "
                  f"{part.questions} preguntas; líneas: {exercises})")
    print(f"{'total':40s} central  {total_core:4d} min; opcional {total_optional} min")


if __name__ == "__main__":
    main()
