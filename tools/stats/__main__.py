"""``python -m tools.stats --course DIR [--assignment A] [--out DIR]`` (``make stats``)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

from tools.stats import data as d
from tools.stats import report
from tools.stats.analysis import analyse


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tools.stats",
        description="Estadísticas de una clase ya corregida: ejercicios, notebooks, errores "
                    "frecuentes y tiempos (lee gradebook.db y .grading/, no corrige nada).")
    p.add_argument("--course", type=Path, default=Path("."), help="carpeta del curso (gradebook.db)")
    p.add_argument("--assignment", action="append",
                   help="tarea a analizar (se puede repetir; por omisión, todas)")
    p.add_argument("--out", type=Path, help="carpeta del informe (por omisión <curso>/stats)")
    p.add_argument("--no-plots", action="store_true", help="sin gráficos (más rápido)")
    return p.parse_args(argv)


def _plots(a) -> dict[str, bytes]:
    from tools.stats import plots

    return {"histograma de totales": plots.histogram(a),
            "facilidad y discriminación": plots.scatter(a),
            "media por quintil": plots.quintiles(a)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    course = args.course.resolve()
    db = course / "gradebook.db"
    if not db.exists():
        print(f"No hay {db}: primero corregí la clase (make autograde).", file=sys.stderr)
        return 2
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    names = d.assignments(con)
    con.close()
    unknown = sorted(set(args.assignment or []) - set(names))
    if unknown:
        print(f"Tareas que no están en la gradebook: {', '.join(unknown)} "
              f"(están: {', '.join(names)})", file=sys.stderr)
        return 2
    out_root = (args.out or course / "stats").resolve()
    for name in args.assignment or names:
        started = time.monotonic()
        a = analyse(d.load(course, name))
        out = out_root / name
        out.mkdir(parents=True, exist_ok=True)
        report.write_csvs(a, out)
        report.write_html(a, out / "index.html", {} if args.no_plots else _plots(a))
        print("\n".join(report.summary_lines(a)))
        print(f"informe: {out / 'index.html'} (y CSV al lado; {time.monotonic() - started:.1f} s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
