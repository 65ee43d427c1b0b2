"""Cuánto tarda ``make stats`` en una clase grande (una cifra, no una aserción).

Arma con :mod:`tools.stats.simulate` una clase corregida de 300 estudiantes
(``--students``) con los seis notebooks de ``clase_rnn``: la gradebook, la
tabla de fusión, los resultados guardados en ``.grading/`` y los notebooks
corregidos en ``autograded/`` hechos a partir de las soluciones con sus
salidas (el tamaño de un notebook corregido de verdad), con salidas de error
en las celdas que cada estudiante falla (habilidad al azar, ejercicios de
distinta dificultad, tres errores posibles por celda). Después mide
``python -m tools.stats --course DIR`` de punta a punta (arranque del
intérprete, lectura, análisis, gráficos, HTML y CSV). Meta: ≤ 10 s.

    .venv/bin/python benchmarks/bench_stats.py [--students 300] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools import env_with_tools  # noqa: E402
from tools.stats import simulate as sim  # noqa: E402

A = "clase_rnn"
MESSAGES = [
    ("AssertionError", "{cell}: los valores no coinciden. Error absoluto máximo {x:.4g} (tolerancia "
                       "1e-05). Primera diferencia en la posición (0, {i}): se esperaba {x:.4g} y se "
                       "obtuvo {y:.4g}."),
    ("AssertionError", "Caso «otro tamaño de lote»: {cell}: la forma no coincide. Se esperaba "
                       "({i}, 4) y se obtuvo (4, {i})."),
    ("ValueError", "operands could not be broadcast together with shapes ({i},3) (4,{i})"),
]


def lesson(path: Path) -> tuple[dict, list[sim.Cell]]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and (meta.get("points") or 0) > 0:
            cells.append(sim.Cell(path.stem, meta["grade_id"], float(meta["points"]),
                                  manual=cell["cell_type"] == "markdown"))
    return nb, cells


def build(course: Path, n: int, seed: int = 0) -> int:
    bases, cells = {}, []
    for path in sorted((ROOT / "solutions" / A).glob("*.ipynb")):
        bases[path.stem], found = lesson(path)
        cells += found
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(n)
    difficulty = rng.uniform(-2, 1, len(cells))
    subs = {}
    for i in range(n):
        scores, errors = {}, {}
        ok = rng.random(len(cells)) < 1 / (1 + np.exp(-1.5 * (theta[i] - difficulty)))
        for j, c in enumerate(cells):
            scores[(c.notebook, c.grade_id)] = c.points if ok[j] else 0.0
            if not ok[j] and not c.manual:
                ename, text = MESSAGES[int(rng.integers(len(MESSAGES)))]
                errors[(c.notebook, c.grade_id)] = (ename, text.format(
                    cell=c.grade_id, x=rng.random(), y=rng.random(), i=int(rng.integers(1, 9))))
        subs[f"estudiante_{i:03d}"] = sim.Submission(scores, errors, seconds=float(rng.uniform(60, 240)))
    sim.build(course, A, cells, subs, bases=bases)
    return len(cells)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=300)
    p.add_argument("--keep", type=Path, help="armar la clase en esta carpeta y dejarla")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        course = (args.keep or Path(tmp) / "curso").resolve()
        t0 = time.monotonic()
        n_cells = build(course, args.students)
        size = sum(f.stat().st_size for f in (course / "autograded").rglob("*.ipynb"))
        print(f"clase simulada: {args.students} estudiantes × 6 notebooks, {n_cells} celdas con "
              f"puntos, {size / 1e6:.0f} MB de notebooks corregidos (armada en "
              f"{time.monotonic() - t0:.0f} s)")
        env = env_with_tools({**os.environ, "MPLBACKEND": "Agg"})
        print(f"carga de la máquina (promedio de 1 min): {os.getloadavg()[0]:.1f} en "
              f"{os.cpu_count()} núcleos; el tiempo de CPU del proceso no depende de la carga")
        for extra in ([], ["--no-plots"]):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "tools.stats", "--course", str(course),
                                   "--out", str(course / "stats"), *extra],
                                  cwd=ROOT, env=env, capture_output=True, text=True)
            secs = time.monotonic() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            if proc.returncode != 0:
                raise SystemExit(proc.stderr)
            label = " ".join(extra) or "(con gráficos)"
            print(f"python -m tools.stats {label}: {secs:.1f} s de reloj, {cpu:.1f} s de CPU "
                  "(meta ≤ 10 s)")
        print("\n".join(proc.stdout.splitlines()[:8]))


if __name__ == "__main__":
    main()
