"""Errores en lo que ve el estudiante: la copia corregida y la devolución HTML.

Lo usan las pruebas de punta a punta del autocorrector: una entrega con todos
los puntos no puede mostrar ni una salida de error ni un traceback.
"""

from __future__ import annotations

import html
import re

import nbformat

# Un traceback, o una línea que empieza con el nombre de una excepción (lo que
# imprime Python al fallar); no un «✔ … lanza ValueError» de una comprobación.
ERROR_LINE = re.compile(r"Traceback \(most recent call last\)|^\s*\w*(?:Error|Exception)\b", re.M)

# Mensajes de TensorFlow que no tienen que llegar a lo que ve el estudiante:
# los de C++ (absl, TF ≥ 2.21; glog, TF ≤ 2.20) y sus avisos de arranque.
TF_NOISE = [
    re.compile(r"^[IWEF]\d{4} [\d:.]+\s+\d+ \S+:\d+\]", re.M),
    re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] \S+:\d+\]", re.M),
    re.compile(r"All log messages before absl::InitializeLog"),
    re.compile(r"rebuild TensorFlow with the appropriate compiler flags"),
    re.compile(r"Unable to register cu(DNN|FFT|BLAS) factory"),
    re.compile(r"node_def_util\.cc.*use_unbounded_threadpool"),
]


def tf_noise_line(text: str) -> str | None:
    """La primera línea de ``text`` con un mensaje de TensorFlow, o ``None``."""
    for pattern in TF_NOISE:
        m = pattern.search(text)
        if m:
            return text[text.rfind("\n", 0, m.start()) + 1:].split("\n", 1)[0]
    return None


_OUTPUT_BLOCK = re.compile(
    r'<div class="(?:output_subarea [^"]*|[^"]*jp-OutputArea-output[^"]*)"([^>]*)>(.*?)</div>', re.S)


def notebook_output_problems(nb: nbformat.NotebookNode, where: str = "") -> list[str]:
    """Salidas de error, o de texto con un traceback, de un notebook ejecutado."""
    problems = []
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", cell.get("id"))
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                problems.append(f"{where}:{gid}: {o.get('ename')}: {o.get('evalue')}")
            elif o.get("output_type") == "stream" and ERROR_LINE.search(o.get("text", "")):
                problems.append(f"{where}:{gid}: {o.get('name')}: {o['text'][:300]}")
    return problems


def html_output_problems(page: str) -> list[str]:
    """Salidas de error (o con un traceback) en una página de nbconvert, con la
    plantilla clásica (la de la devolución de nbgrader) o la de JupyterLab."""
    problems = []
    for match in _OUTPUT_BLOCK.finditer(page):
        attrs = match.group(0)[:match.group(0).index(">")]
        text = html.unescape(re.sub(r"<[^>]+>", "", match.group(2)))
        if "output_error" in attrs or ERROR_LINE.search(text):
            problems.append(text.strip()[:300])
    return problems
