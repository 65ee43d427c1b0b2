"""El informe: una página HTML autocontenida, un CSV por tabla y un resumen en la terminal."""

from __future__ import annotations

import base64
import csv
import html
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from tools.stats import items as it
from tools.stats.analysis import COUNTED, Analysis

NA = "no aplica"

DEFINITIONS = f"""
<ul>
<li><b>Facilidad</b> = media / puntaje posible (el <i>facility index</i> de Moodle).</li>
<li><b>Discriminación</b> = correlación de Pearson entre el puntaje del ejercicio y el
<b>resto</b> de la tarea (el total menos ese ejercicio): el <i>discrimination index</i> de
Moodle (que la muestra ×100) y el <i>item–rest</i> (RIR) de CodeGrade. Va de −1 a 1; si el
ejercicio o el resto no varían, «{NA}».</li>
<li><b>Media por quintil</b>: los estudiantes ordenados por su total y partidos en cinco
grupos, del más bajo (1) al más alto (5), como PrairieLearn; la facilidad en cada grupo.</li>
<li><b>Alfa de Cronbach</b> = k/(k−1)·(1 − Σ var(ejercicio) / var(total)).</li>
<li>Cuentan los estudiantes que entregaron algo de la tarea; un notebook que no entregaron vale
0 (y se cuenta como «no entregó»). Un ejercicio pendiente de nota manual no entra en su
propia estadística.</li>
</ul>
<p><b>Señales</b> (umbrales de la documentación de Moodle, «Quiz report statistics»):
facilidad ≥ {it.TOO_EASY:.0%} «casi todos la resuelven» (Moodle: <i>extremely easy</i>);
≤ {it.TOO_HARD:.0%} «casi nadie la resuelve» (<i>very difficult</i> y
<i>extremely difficult or something wrong with the question</i>);
discriminación &lt; {it.LOW_DISCRIMINATION:.2f} «discrimina poco» (<i>very weak</i>; negativa:
<i>probably invalid</i>): candidata a una prueba equivocada o ambigua; y celdas de nota
manual todavía sin nota. Alfa: ≥ {it.ALPHA_GOOD:.2f} satisfactoria, &lt; {it.ALPHA_POOR:.2f}
insatisfactoria (Moodle, <i>coefficient of internal consistency</i>).</p>
"""


def fmt(x: float | None, pct: bool = False) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return NA
    return f"{100 * x:.0f} %" if pct else f"{x:.2f}"


ITEM_HEADER = ["ejercicio", "notebook", "puntos", "n", "media", "facilidad", "% completo", "% cero",
               "discriminación", *[f"quintil {q}" for q in range(1, 6)], *COUNTED, "señales"]


def item_row(s: it.ItemStats) -> list[str]:
    return [s.name, s.notebook, f"{s.points:g}", str(s.n), fmt(s.mean), fmt(s.facility),
            fmt(s.full, True), fmt(s.zero, True), fmt(s.discrimination),
            *[fmt(q) for q in s.quintiles], *[str(s.counts.get(k, 0)) for k in COUNTED],
            "; ".join(s.flags)]


def student_rows(a: Analysis) -> list[list[str]]:
    d = a.data
    rows = []
    for i, student in enumerate(d.students):
        secs = d.seconds.get(student)
        rows.append([student, f"{a.totals[i]:g}", "" if secs is None else f"{secs:.1f}",
                     d.status.get(student, ""), "; ".join(d.notes.get(student, []))])
    return rows


def mistake_rows(a: Analysis) -> list[list[str]]:
    return [[cell, g.kind, str(g.count), g.representative, g.key, " ".join(sorted(g.students))]
            for cell, groups in a.mistakes.items() for g in groups]


def write_csvs(a: Analysis, out: Path) -> list[Path]:
    tables = {
        "ejercicios.csv": (ITEM_HEADER, [item_row(s) for s in a.items]),
        "notebooks.csv": (ITEM_HEADER, [item_row(s) for s in a.notebooks]),
        "estudiantes.csv": (["estudiante", "total", "segundos de corrección", "estado",
                             "observaciones"], student_rows(a)),
        "errores.csv": (["ejercicio", "clase", "estudiantes", "mensaje", "clave", "quiénes"],
                        mistake_rows(a)),
    }
    paths = []
    for name, (header, rows) in tables.items():
        path = out / name
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
        paths.append(path)
    return paths


def _table(header: list[str], rows: Iterable[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _time_line(a: Analysis) -> str:
    secs = [s for s in a.data.seconds.values() if s is not None]
    if not secs:
        return "sin tiempos de corrección guardados"
    return (f"corrección: {sum(secs) / 60:.1f} min en total; por entrega, mediana "
            f"{np.median(secs):.0f} s, máximo {max(secs):.0f} s")


def summary_lines(a: Analysis, top: int = 3) -> list[str]:
    d = a.data
    n = len(d.students)
    lines = [f"{d.assignment}: {n} entregas"
             + (f", {len(d.absent)} sin entregar" if d.absent else "")
             + (f"; total medio {a.totals.mean():.2f} de {a.possible:g}" if n else ""),
             f"alfa de Cronbach: {fmt(a.alpha)} ({it.alpha_reading(a.alpha)}); {_time_line(a)}"]
    flagged = a.flagged
    shown = flagged[:8]
    lines.extend(f"  ⚑ {s.name}: {'; '.join(s.flags)}" for s in shown)
    if len(shown) < len(flagged):
        lines.append(f"  (y {len(flagged) - len(shown)} señales más en el informe)")
    biggest = sorted((g for gs in a.mistakes.values() for g in gs),
                     key=lambda g: (-g.count, g.cell, g.key))[:top]
    if biggest:
        lines.append("errores más frecuentes:")
        lines.extend(f"  {g.cell}: {g.headline()}" for g in biggest)
    return lines


def _mistakes_html(a: Analysis) -> str:
    if not a.mistakes:
        return "<p>Ninguna celda de evaluación falló.</p>"
    parts = []
    for cell, groups in a.mistakes.items():
        items = []
        for g in groups:
            who = ", ".join(sorted(g.students))
            items.append(f"<li><b>{html.escape(g.headline())}</b> <span class='kind'>[{g.kind}]"
                         f"</span><details><summary>quiénes</summary>{html.escape(who)}</details></li>")
        parts.append(f"<h3>{html.escape(cell)}</h3><ul>{''.join(items)}</ul>")
    return "".join(parts)


CSS = """body{font-family:sans-serif;max-width:1200px;margin:1em auto;color:#222}
table{border-collapse:collapse;font-size:12px;margin:.5em 0}td,th{border:1px solid #ccc;
padding:2px 5px;text-align:right}td:first-child,th:first-child{text-align:left}
.kind{color:#888;font-size:11px}details{display:inline;margin-left:.5em;font-size:12px}
h3{margin-bottom:.2em;font-size:14px}img{max-width:100%}"""


def write_html(a: Analysis, path: Path, plots: dict[str, bytes]) -> None:
    d = a.data
    flags = "".join(f"<li><b>{html.escape(s.name)}</b>: {html.escape('; '.join(s.flags))}</li>"
                    for s in a.flagged) or "<li>ninguna</li>"
    figs = "".join(_img(png, name) for name, png in plots.items())
    body = f"""<h1>Estadísticas de la clase: {html.escape(d.assignment)}</h1>
<p>{'<br>'.join(html.escape(x) for x in summary_lines(a)[:2])}</p>
<h2>Señales</h2><ul>{flags}</ul>
{figs}
<h2>Ejercicios</h2>{_table(ITEM_HEADER, [item_row(s) for s in a.items])}
<h2>Notebooks</h2>{_table(ITEM_HEADER, [item_row(s) for s in a.notebooks])}
<h2>Los errores de la clase</h2>
<p>Mensajes de las celdas de evaluación agrupados (números, formas y valores citados
normalizados; las pruebas ocultas incluidas). «falló»: no pasó una comprobación; «error»:
la celda lanzó una excepción (se muestra su primera línea).</p>{_mistakes_html(a)}
<h2>Definiciones</h2>{DEFINITIONS}
<h2>Entregas y tiempo de corrección</h2>
{_table(["estudiante", "total", "segundos", "estado", "observaciones"], student_rows(a))}
{_table(["sin entregar"], [[s] for s in d.absent]) if d.absent else ""}"""
    path.write_text(f"<!DOCTYPE html><html lang='es'><head><meta charset='utf-8'>"
                    f"<title>Estadísticas — {html.escape(d.assignment)}</title><style>{CSS}</style>"
                    f"</head><body>{body}</body></html>", encoding="utf-8")

