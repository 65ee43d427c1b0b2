"""Cuánto cuesta corregir una clase (``make bench``; cifras, no aserciones).

Sobre la clase sintética de ``tests/test_grading_class.py`` (10 estudiantes,
lección 01) corre ``python -m tools.grading`` con 1 y con 2 trabajos (cada
kernel con 1 hilo) e imprime:

* segundos por estudiante con un solo hilo;
* tiempo total con 1 y 2 trabajos y la aceleración (meta: ≥ 1,7× con 2 núcleos);
* memoria pico por trabajo (nbgrader + kernel);
* con 2 trabajos, lado a lado, la CPU con nbgrader en un hijo (``fork``) de
  cada proceso del pool (lo de siempre) y como subproceso nuevo en cada
  trabajo (``RNN_NBGRADER_SUBPROCESS=1``);
* la proyección a 300 estudiantes en 8 núcleos.

Además (salvo ``--sin-clase-rnn``) corrige una entrega completa de ``clase_rnn`` (los
seis notebooks, la solución) con un hilo y desglosa el tiempo: arranque de
nbgrader y kernels, importaciones (celda ``setup``) y el resto de las celdas
de cada notebook (entrenamientos en modo rápido).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_grading_class import _env, build_class  # noqa: E402
from tools.grading.processes import SUBPROCESS_ENV  # noqa: E402


def grade(course: Path, *args: str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(segundos de pared, segundos de CPU de todos los procesos hijos)."""
    before = os.times()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tools.grading", "--course", str(course), "--no-progress",
                    *args], cwd=ROOT, env={**_env(), **(env or {})}, capture_output=True,
                   text=True, timeout=7200)
    wall = time.perf_counter() - t0
    after = os.times()
    return wall, (after.children_user - before.children_user) + (
        after.children_system - before.children_system)


def results(course: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in (course / ".grading" / "results").glob("*.json")]


def _cell_seconds(cell) -> float | None:
    e = cell.get("metadata", {}).get("execution", {})
    if "iopub.execute_input" not in e or "shell.execute_reply" not in e:
        return None
    t = [datetime.fromisoformat(e[k].replace("Z", "+00:00"))
         for k in ("iopub.execute_input", "shell.execute_reply")]
    return (t[1] - t[0]).total_seconds()


def profile_clase_rnn(tmp: Path, warm: bool = False) -> float:
    import nbformat

    course = tmp / ("clase_rnn_warm" if warm else "clase_rnn")
    src = ROOT / "solutions" / "clase_rnn"
    shutil.copytree(src, course / "solutions" / "clase_rnn")
    shutil.copytree(src, course / "submitted" / "solucion" / "clase_rnn")
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    if warm:  # la caché de datos y modelos, llena antes (una vez por corrida)
        grade(course, "--jobs", "1", "--threads-per-job", "1", "--warm-cache")
        shutil.rmtree(course / ".grading" / "results")
        (course / "gradebook.db").unlink()
    wall, cpu = grade(course, "--jobs", "1", "--threads-per-job", "1",
                      *(["--warm-cache"] if warm else []))
    (res,) = results(course)
    data = (course / ".grading" / "results" / f"{res['key']}.tar.gz").read_bytes()
    print(f"\nclase_rnn, una entrega (solución, 6 notebooks, 1 hilo"
          f"{', caché precalentada' if warm else ''}): {res['seconds']:.1f} s "
          f"el trabajo, {wall:.1f} s con el coordinador, {cpu:.1f} s de CPU; "
          f"pico {res['peak_rss'] / 2**20:.0f} MiB")
    total_cells = 0.0
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            if not member.name.endswith(".ipynb"):
                continue
            nb = nbformat.reads(tar.extractfile(member).read().decode(), as_version=4)
            times = [(c.get("id"), _cell_seconds(c)) for c in nb.cells if c.cell_type == "code"]
            times = [(i, s) for i, s in times if s is not None]
            cells = sum(s for _, s in times)
            total_cells += cells
            setup = sum(s for i, s in times if i == "setup")
            top = sorted(times, key=lambda x: -x[1])[:3]
            print(f"  {member.name:34s} celdas {cells:5.1f} s (setup {setup:4.1f} s); "
                  + ", ".join(f"{i} {s:.1f} s" for i, s in top))
    print(f"  fuera de las celdas (nbgrader, arranque de 6 kernels, revisión): "
          f"{res['seconds'] - total_cells:.1f} s")
    return float(res["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sin-clase-rnn", action="store_true",
                        help="sin el desglose de una entrega completa de clase_rnn (~1-2 min)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        template = tmp / "plantilla"
        students = build_class(template)
        n = len(students)
        walls, peaks, seconds = {}, [], []
        for jobs in (1, 2):
            course = tmp / f"j{jobs}"
            shutil.copytree(template, course)
            walls[jobs], cpu = grade(course, "--jobs", str(jobs), "--threads-per-job", "1")
            res = results(course)
            if jobs == 1:
                seconds = [r["seconds"] for r in res]
                peaks = [r.get("peak_rss", 0) for r in res if r.get("peak_rss")]
                cpu1 = cpu
        speedup = walls[1] / walls[2]
        per_student = walls[1] / n
        print(f"Clase sintética: {n} estudiantes (lección 01), kernels con 1 hilo, "
              f"{os.cpu_count()} núcleos, carga {os.getloadavg()[0]:.1f}")
        print(f"  un hilo: {per_student:.1f} s por estudiante (pared, en serie); "
              f"trabajo mediano {statistics.median(seconds):.1f} s, CPU {cpu1 / n:.1f} s por estudiante")
        print(f"  --jobs 1: {walls[1]:.1f} s   --jobs 2: {walls[2]:.1f} s   "
              f"aceleración {speedup:.2f}× (meta ≥ 1,7×)")
        print(f"  memoria pico por trabajo: mediana {statistics.median(peaks) / 2**20:.0f} MiB, "
              f"máxima {max(peaks) / 2**20:.0f} MiB")
        # Lado a lado: nbgrader por fork en el pool (lo de siempre) o un intérprete por trabajo.
        forked: dict[bool, tuple[float, float]] = {}
        for sub in (False, True):
            course = tmp / f"fork-{sub}"
            shutil.copytree(template, course)
            forked[sub] = grade(course, "--jobs", "2", "--threads-per-job", "1",
                                env={SUBPROCESS_ENV: "1"} if sub else {})
        print(f"  --jobs 2, CPU de la clase: nbgrader en un hijo (fork) {forked[False][1]:.0f} s, "
              f"un intérprete por trabajo ({SUBPROCESS_ENV}=1) {forked[True][1]:.0f} s: "
              f"{forked[True][1] / forked[False][1]:.2f}× (pared {forked[False][0]:.0f} s "
              f"y {forked[True][0]:.0f} s)")
        eff = speedup / 2
        costs = [("lección 01", per_student)]
        if not args.sin_clase_rnn:
            costs.append(("clase_rnn completa", profile_clase_rnn(tmp)))
            costs.append(("clase_rnn, caché precalentada", profile_clase_rnn(tmp, warm=True)))
        for label, cost in costs:
            projected = 300 * cost / (8 * eff)
            print(f"proyección, 300 estudiantes en 8 núcleos ({label}, {cost:.0f} s por "
                  f"estudiante, eficiencia {eff:.0%}): {projected / 60:.0f} min")


if __name__ == "__main__":
    main()
