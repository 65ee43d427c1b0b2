"""Ejecuta los notebooks de ``solutions/`` en su lugar, de arriba a abajo (lo usa
``make solutions``), para que el docente vea en GitHub las salidas reales.
Guarda el tiempo de cada uno en ``docs/tiempos.json`` (la tabla del README);
``--measure-fast`` mide el modo rápido sin escribir los notebooks.

Corre en el modo que diga el entorno (``make solutions`` quita ``COURSE_FAST``:
lección completa), sin metadata de tiempos (``record_timing=False``) para que
nada ruidoso pase a la versión del estudiante. Un error detiene todo y no se
escribe ese notebook.

El kernel corre como lo abre un estudiante en JupyterLab o Colab: sin
``MPLBACKEND`` (gráficos PNG del backend *inline*, que quedan guardados) ni
``TF_CPP_MIN_LOG_LEVEL`` (nadie la fija en Colab: si TensorFlow escribe algo,
se ve acá, y ``tests/test_solutions_outputs.py`` lo detecta). Los PNG quedan
como los dibuja el backend inline (100 dpi, ~20–60 KB cada uno; recomprimirlos
sin pérdida ahorra ~2 %: no vale la pena). ``--output-dir`` escribe los
notebooks ejecutados en otra carpeta, sin tocar ``solutions/`` ni los tiempos
del README.

Los tiempos son los de un estudiante que abre las lecciones en orden en una
máquina nueva: la corrida usa una caché de datos **vacía** (una carpeta
temporal como ``COURSE_DATA_DIR``, compartida por los notebooks de la corrida;
los corpus se bajan, o se leen de ``COURSE_DATA_MIRROR``), así la lección 04 y
el desafío entrenan sus modelos y 05 y 06 reusan los de la 04. ``--cache DIR``
usa otra carpeta (por ejemplo, una ya llena, para iterar rápido; los tiempos
que guarde no son los de un estudiante: con ``--cache`` no se anotan).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools import ROOT

TIMES = ROOT / "docs" / "tiempos.json"


def record_time(path: Path, mode: str, seconds: float) -> None:
    """Guarda el tiempo medido en ``docs/tiempos.json`` (lo usa el README)."""
    data = json.loads(TIMES.read_text(encoding="utf-8")) if TIMES.exists() else {}
    key = path.resolve().relative_to(ROOT / "solutions").as_posix()
    data.setdefault(key, {})[mode] = round(seconds, 1)
    TIMES.parent.mkdir(exist_ok=True)
    TIMES.write_text(json.dumps(dict(sorted(data.items())), indent=1, ensure_ascii=False) + "\n",
                     encoding="utf-8")


# Variables que un estudiante no tiene en JupyterLab ni en Colab y que cambian
# lo que se ve: sin ellas, gráficos inline y TensorFlow como lo deja ``helpers``.
KERNEL_ENV_DROP = ("MPLBACKEND", "TF_CPP_MIN_LOG_LEVEL")


def kernel_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in KERNEL_ENV_DROP}


def image_bytes(nb: nbformat.NotebookNode) -> int:
    """Bytes de las imágenes PNG guardadas en un notebook (decodificadas)."""
    return sum(len(base64.b64decode(out["data"]["image/png"]))
               for cell in nb.cells if cell.cell_type == "code"
               for out in cell.get("outputs", []) if "image/png" in out.get("data", {}))


def tidy(nb: nbformat.NotebookNode) -> None:
    """Salidas legibles y estables en GitHub y en la versión del estudiante.

    * Junta las salidas de texto consecutivas y aplica ``\\r`` y ``\\b`` (las
      barras de progreso de Keras quedan como su última línea por época).
    * Sin metadata de tiempos ni de widgets, y ``language_info`` mínima: nbgrader
      la copia a ``notebooks/``, y no debe depender de la versión de Python
      con la que se ejecutó.
    * Las salidas de imagen (``display_data``) quedan tal cual.
    """
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        merged: list = []
        for out in cell.outputs:
            if (out.output_type == "stream" and merged and merged[-1].output_type == "stream"
                    and merged[-1].name == out.name):
                merged[-1].text += out.text
            else:
                merged.append(out)
        for out in merged:
            if out.output_type == "stream":
                lines = []
                for line in out.text.split("\n"):
                    while "\b" in line:
                        i = line.index("\b")
                        line = line[: max(i - 1, 0)] + line[i + 1:]
                    lines.append(line.rsplit("\r", 1)[-1] if "\r" in line.rstrip("\r") else line.rstrip("\r"))
                out.text = "\n".join(lines)
        cell.outputs = merged
    nb.metadata.pop("widgets", None)
    nb.metadata["language_info"] = {"name": "python"}


def run(path: Path, timeout: int, *, write: bool = True, output: Path | None = None) -> float:
    """Ejecuta ``path``; si ``write``, guarda el resultado en ``output`` (por
    defecto, en el mismo archivo)."""
    nb = nbformat.read(str(path), as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env=kernel_env())
    elapsed = time.perf_counter() - start
    if write:
        tidy(nb)
        target = output or path
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(target))
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="por defecto, todos los de solutions/")
    parser.add_argument("--timeout", type=int, default=1800, help="segundos por celda")
    parser.add_argument("--measure-fast", action="store_true",
                        help="solo medir el modo rápido (COURSE_FAST=1), sin escribir notebooks")
    parser.add_argument("--output-dir", type=Path,
                        help="escribir los notebooks ejecutados acá (<tarea>/<notebook>), "
                             "sin tocar solutions/ ni docs/tiempos.json")
    parser.add_argument("--cache", type=Path,
                        help="caché de datos a usar (por omisión, una vacía: la de un estudiante "
                             "nuevo); con esta opción los tiempos no se anotan")
    args = parser.parse_args(argv)
    if args.cache is not None:
        os.environ["COURSE_DATA_DIR"] = str(args.cache)
        return _run_all(args)
    with tempfile.TemporaryDirectory(prefix="rnn-solutions-cache-") as cache:
        os.environ["COURSE_DATA_DIR"] = cache
        return _run_all(args)


def _run_all(args: argparse.Namespace) -> int:
    paths = args.notebooks or sorted((ROOT / "solutions").glob("*/*.ipynb"))
    if args.measure_fast:
        os.environ["COURSE_FAST"] = "1"
    mode = "rapido" if args.measure_fast else "completo"
    for path in paths:
        print(f"{path}: ejecutando en modo {mode}…", flush=True)
        output = args.output_dir / path.parent.name / path.name if args.output_dir else None
        write = args.output_dir is not None or not args.measure_fast
        seconds = run(path, args.timeout, write=write, output=output)
        if args.output_dir is None and args.cache is None:
            record_time(path, mode, seconds)
        target = nbformat.read(str(output or path), as_version=4) if write else None
        images = f", {image_bytes(target) / 1024:.0f} KiB de imágenes" if target else ""
        print(f"{path}: {seconds:.1f} s{images}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
