"""Ejecuta los notebooks de ``solutions/`` en su lugar, de arriba a abajo (lo usa
``make solutions``), para que el docente vea en GitHub las salidas reales.
Guarda el tiempo de cada uno en ``docs/tiempos.json`` (la tabla del README);
``--measure-fast`` mide el modo rápido sin escribir los notebooks.

Corre en el modo que diga el entorno (``make solutions`` quita ``COURSE_FAST``:
lección completa), sin metadata de tiempos (``record_timing=False``) para que
nada ruidoso pase a la versión del estudiante. Un error detiene todo y no se
escribe ese notebook.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
TIMES = ROOT / "docs" / "tiempos.json"


def record_time(path: Path, mode: str, seconds: float) -> None:
    """Guarda el tiempo medido en ``docs/tiempos.json`` (lo usa el README)."""
    data = json.loads(TIMES.read_text(encoding="utf-8")) if TIMES.exists() else {}
    key = path.resolve().relative_to(ROOT / "solutions").as_posix()
    data.setdefault(key, {})[mode] = round(seconds, 1)
    TIMES.parent.mkdir(exist_ok=True)
    TIMES.write_text(json.dumps(dict(sorted(data.items())), indent=1, ensure_ascii=False) + "\n",
                     encoding="utf-8")


def tidy(nb: nbformat.NotebookNode) -> None:
    """Salidas legibles y estables en GitHub y en la versión del estudiante.

    * Junta las salidas de texto consecutivas y aplica ``\\r`` y ``\\b`` (las
      barras de progreso de Keras quedan como su última línea por época).
    * Sin metadata de tiempos ni de widgets, y ``language_info`` mínima: nbgrader
      la copia a ``notebooks/``, y no debe depender de la versión de Python
      con la que se ejecutó.
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


def run(path: Path, timeout: int, *, write: bool = True) -> float:
    nb = nbformat.read(str(path), as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    elapsed = time.perf_counter() - start
    if write:
        tidy(nb)
        nbformat.write(nb, str(path))
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="por defecto, todos los de solutions/")
    parser.add_argument("--timeout", type=int, default=1800, help="segundos por celda")
    parser.add_argument("--measure-fast", action="store_true",
                        help="solo medir el modo rápido (COURSE_FAST=1), sin escribir notebooks")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "solutions").glob("*/*.ipynb"))
    if args.measure_fast:
        os.environ["COURSE_FAST"] = "1"
    mode = "rapido" if args.measure_fast else "completo"
    for path in paths:
        print(f"{path}: ejecutando en modo {mode}…", flush=True)
        seconds = run(path, args.timeout, write=not args.measure_fast)
        record_time(path, mode, seconds)
        print(f"{path}: {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
