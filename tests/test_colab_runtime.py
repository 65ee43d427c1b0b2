"""El runtime de Colab (versiones de ``constraints/colab.txt``): lo que hace la
primera celda en Colab (instalar el paquete sin extras, desde el repositorio) no
cambia ningún paquete de Colab, y nbval corre ahí cada notebook de ``solutions/``.

El entorno lo arma ``tools/envs/colab_env.py`` (``make test`` lo empieza en segundo
plano; acá se espera a que termine). ``make test`` corre nbval con
``--nbval-kernel-name colab-runtime``: cada notebook de ``solutions/``, celda
por celda, en un kernel de ese entorno (``tests/colab_kernel.py``); acá se
prueba que ese kernel es el de Colab y que una salida con mensajes de
TensorFlow hace fallar la celda. Python 3.12, el de Colab, no está en CI: se
usa el Python de las pruebas.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from tests.colab_kernel import check_probe, start_colab_kernel

from tools import ROOT
from tools.envs import colab_env


@pytest.fixture(scope="session")
def colab_runtime() -> dict:
    try:
        return colab_env.prepare()
    except Exception as exc:  # pragma: no cover - se informa como fallo
        log = colab_env.LOG.read_text()[-3000:] if colab_env.LOG.exists() else ""
        pytest.fail(f"No se pudo armar el entorno de Colab: {exc}\n{log}")


def test_constraints_pin_colab_versions() -> None:
    pins = colab_env.pinned()
    for name in ("tensorflow-cpu", "keras", "numpy", "matplotlib", "nltk", "regex",
                 "ipykernel", "ipython", "jupyter-client", "traitlets"):
        assert name in pins, f"constraints/colab.txt no fija {name}"
    header = colab_env.CONSTRAINTS.read_text(encoding="utf-8")
    assert "googlecolab/backend-info" in header and re.search(r"\b20\d\d-\d\d\b", header)


def test_base_is_rebuilt_only_when_a_version_changes(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "colab.txt"
    monkeypatch.setattr(colab_env, "CONSTRAINTS", f)
    f.write_text("# Colab\nnumpy==2.1.3\nKeras==3.13.2\n")
    key = colab_env.base_key()
    assert colab_env.pinned() == {"numpy": "2.1.3", "keras": "3.13.2"}
    f.write_text("# Colab, otro comentario\nKeras == 3.13.2  # ok\n\nnumpy==2.1.3\n")
    assert colab_env.base_key() == key
    f.write_text("numpy==2.1.4\nkeras==3.13.2\n")
    assert colab_env.base_key() != key
    f.write_text("numpy>=2\n")
    with pytest.raises(ValueError, match="nombre==versión"):
        colab_env.pinned()


def test_pin_changes_are_reported() -> None:
    pins = {"numpy": "2.1.3", "keras": "3.13.2"}
    same = {"numpy": "2.1.3", "keras": "3.13.2", "tqdm": "4.67.1"}
    assert colab_env.pin_changes(same, {**same, "rnn-nlp-curso": "x"}, pins) == {}
    changed = colab_env.pin_changes(same, {**same, "numpy": "2.4.0"}, pins)
    assert changed == {"numpy": {"antes": "2.1.3", "después": "2.4.0", "fijada": "2.1.3"}}


def test_installing_the_course_changes_no_colab_package(colab_runtime: dict) -> None:
    assert colab_runtime["installed"], "el paquete del curso no quedó instalado"
    assert not colab_runtime["changed"], (
        "pip cambió paquetes que Colab ya trae al instalar el curso: "
        + ", ".join(f"{n}: {v['antes']} → {v['después']} (Colab: {v['fijada']})"
                    for n, v in colab_runtime["changed"].items()))
    frozen = colab_env.freeze()
    for name, version in colab_env.pinned().items():
        assert frozen.get(name) == version, f"{name}: {frozen.get(name)} en vez de {version}"




def test_the_nbval_kernel_is_colabs(colab_runtime: dict) -> None:
    """El kernel con que make test corre nbval: el Python del entorno de Colab,
    las versiones fijadas, helpers del paquete instalado y no del repositorio
    (la sonda, que también corre antes de cada notebook), en una carpeta vacía."""
    km, kc = start_colab_kernel()
    try:
        said: list[str] = []
        kc.execute_interactive("import os; print(os.getcwd(), os.listdir('.'))",
                               timeout=60, output_hook=lambda m: said.append(
                                   m["content"].get("text", "")))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    cwd, listing = "".join(said).split(maxsplit=1)
    assert listing.strip() == "[]" and not Path(cwd).is_relative_to(ROOT), said


def test_the_probe_rejects_another_environment(colab_runtime: dict) -> None:
    pins = colab_env.pinned()
    good = (f"SONDA {colab_env.python()} {pins['tensorflow-cpu']} {pins['keras']} "
            f"{pins['numpy']} {colab_env.VENV}/lib/site-packages/helpers/__init__.py")
    check_probe(good)
    with pytest.raises(RuntimeError, match="el de"):
        check_probe(good.replace(str(colab_env.python()), sys.executable))
    with pytest.raises(RuntimeError, match="fijadas"):
        check_probe(good.replace(f" {pins['keras']} ", " 3.0.0 "))
    with pytest.raises(RuntimeError, match="no del paquete instalado"):
        check_probe(good.replace(f"{colab_env.VENV}/lib/site-packages", str(ROOT)))


def test_nbval_on_the_colab_kernel_fails_a_cell_with_tensorflow_noise(
        colab_runtime: dict, tmp_path: Path) -> None:
    """nbval con --nbval-kernel-name colab-runtime (make test), de punta a punta:
    una celda que escribe un mensaje de C++ de TensorFlow en stderr falla
    diciéndolo; las otras pasan."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("print('hola')"),
        nbformat.v4.new_code_cell(
            "import os\nos.write(2, b'2026-12-03 17:00:00.123456: I tensorflow/core/util/"
            "port.cc:153] oneDNN custom operations are on.\\n')\nimport time; time.sleep(0.5)"),
        nbformat.v4.new_code_cell("print(1 + 1)"),
    ]
    nbformat.write(nb, str(tmp_path / "ruido.ipynb"))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    # Solo el plugin (ni la configuración ni el conftest del repositorio).
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "ruido.ipynb", "-c", "pytest.ini", "-p", "no:cacheprovider",
         "-p", "tests.colab_kernel", "--nbval-lax", f"--nbval-kernel-name={colab_env.KERNEL_NAME}",
         "-q", "-rf"],
        cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=300)
    out = proc.stdout + proc.stderr
    assert re.search(r"\b1 failed, 2 passed\b", out), out[-3000:]
    assert "FAILED ruido.ipynb::Cell 1 " in out, out[-3000:]
    assert re.search(r"mensaje de TensorFlow en la salida: '2026-12-03 17:00:00\.123456: "
                     r"I tensorflow/core/util/port\.cc", out), out[-3000:]
