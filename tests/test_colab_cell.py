"""La celda de instalación de Colab (la genera ``tools/authoring/release.py``), ejecutada
como en Colab: en un shell de IPython con ``google.colab`` importado.

* Si pip no puede instalar (sin red, repositorio movido o privado), el
  estudiante ve un mensaje corto en castellano que dice qué pasó y qué hacer,
  sin traceback, y la celda queda en error (se detiene «Ejecutar todo»).
* Con una URL que sí se puede instalar (``git+file://`` de este repositorio),
  instala el paquete, como pip con la URL de GitHub en Colab.
* Fuera de Colab no hace nada.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.authoring import release

ROOT = release.ROOT

# Corre la celda en un shell de IPython (como Colab) con ``google.colab``
# falso en sys.modules; imprime un JSON con el resultado al final.
RUNNER = """
import json, sys, types
if {executable!r}:
    sys.executable = {executable!r}  # el Python en el que instala pip
from IPython.core.interactiveshell import InteractiveShell
if {colab}:
    sys.modules["google"] = types.ModuleType("google")
    sys.modules["google.colab"] = types.ModuleType("google.colab")
shell = InteractiveShell.instance()
result = shell.run_cell(open({path!r}, encoding="utf-8").read())
err = result.error_in_exec
print("@@" + json.dumps({{"error": type(err).__name__ if err else None}}))
"""


# Un repositorio que no existe: falla git al clonar (no el formato del pedido).
BAD_SPEC = "rnn-nlp-curso @ git+file://localhost/nonexistent/rnn-nlp-curso"


def run_cell(tmp_path: Path, spec: str, *, colab: bool = True, executable: str = "",
             env_extra: dict[str, str] | None = None) -> tuple[dict, str]:
    cell = tmp_path / "celda.py"
    cell.write_text(release.colab_cell_source(release.repo_url(), spec=spec), encoding="utf-8")
    env = {**os.environ, **(env_extra or {})}
    code = RUNNER.format(colab=colab, path=str(cell), executable=executable)
    proc = subprocess.run([sys.executable, "-c", code],
                          capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    out, _, tail = proc.stdout.rpartition("@@")
    assert proc.returncode == 0 and tail, proc.stdout + proc.stderr
    return json.loads(tail), out + proc.stderr


def test_failed_install_shows_a_short_spanish_message(tmp_path: Path) -> None:
    result, shown = run_cell(tmp_path, BAD_SPEC)
    assert result["error"] == "InstalacionFallida", "la celda debe quedar en error"
    assert "No se pudieron instalar los helpers del curso" in shown, shown
    assert release.repo_url() in shown
    assert "Revisá la conexión a internet" in shown and "avisale a tu docente" in shown
    assert "Lo que dijo pip:" in shown and "does not appear to be a git repository" in shown, shown
    for noise in ("Traceback", "CalledProcessError", 'File "', "subprocess.run("):
        assert noise not in shown, f"el estudiante ve {noise!r}:\n{shown}"
    assert len(shown.strip().splitlines()) <= 8, f"mensaje demasiado largo:\n{shown}"


def test_outside_colab_it_does_nothing(tmp_path: Path) -> None:
    result, shown = run_cell(tmp_path, BAD_SPEC,
                             colab=False)
    assert result["error"] is None
    assert shown.strip() == ""


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="hace falta git y un clon del repositorio")
def test_installable_url_installs_the_package(tmp_path: Path) -> None:
    """pip clona el repositorio (``git+file://``, lo commiteado), construye el
    paquete y lo instala, en un virtualenv nuevo (el Python de la «máquina de
    Colab» de esta prueba) y sin dependencias (Colab ya las trae): nada cambia
    en el entorno de las pruebas."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    result, shown = run_cell(tmp_path, f"rnn-nlp-curso @ git+file://localhost{ROOT.as_posix()}",
                             executable=str(py), env_extra={"PIP_NO_DEPS": "1"})
    assert result["error"] is None, shown
    assert shown.strip() == "", f"una instalación que anduvo no muestra nada:\n{shown}"
    proc = subprocess.run([str(py), "-c", "import importlib.metadata as m, importlib.util as u; "
                           "print(m.version('rnn-nlp-curso'), u.find_spec('helpers').origin)"],
                          capture_output=True, text=True, check=True, cwd=tmp_path)
    version, origin = proc.stdout.split()
    assert version == release.tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert Path(origin).is_relative_to(venv), origin
