"""Ejecuta los notebooks de ``solutions/`` en su lugar, de arriba a abajo (lo usa
``make solutions``), para que el docente vea en GitHub las salidas reales.

Corre en el modo que diga el entorno (``make solutions`` quita ``COURSE_FAST``:
lección completa), sin metadata de tiempos (``record_timing=False``) para que
nada ruidoso pase a la versión del estudiante. Un error detiene todo y no se
escribe ese notebook.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def run(path: Path, timeout: int) -> float:
    nb = nbformat.read(str(path), as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, str(path))
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="por defecto, todos los de solutions/")
    parser.add_argument("--timeout", type=int, default=1800, help="segundos por celda")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "solutions").glob("*/*.ipynb"))
    for path in paths:
        print(f"{path}: ejecutando…", flush=True)
        print(f"{path}: {run(path, args.timeout):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
