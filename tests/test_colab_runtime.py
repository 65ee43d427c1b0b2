"""Las lecciones en el runtime de Colab (versiones de ``constraints/colab.txt``):
lo que hace la primera celda en Colab (instalar el paquete sin extras, desde el
repositorio) no cambia ningún paquete de Colab, y cada notebook de
``solutions/`` corre entero, con sus soluciones, en modo rápido.

El entorno lo arma ``tools/envs/colab_env.py`` (``make test`` lo empieza en segundo
plano; acá se espera a que termine). Python 3.12, el de Colab, no está en CI:
se usa el Python de las pruebas.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from tools import ROOT
from tools.envs import colab_env

NOTEBOOKS = sorted((ROOT / "solutions").glob("*/*.ipynb"))

# Mensajes de C++ de TensorFlow (absl/glog) y la línea previa de absl.
TF_NOISE = re.compile(
    r"^(?:[IWEF]\d{4} [\d:.]+\s+\d+ \S+:\d+\]"                    # absl (TF ≥ 2.21)
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] \S+:\d+\])",       # glog (TF ≤ 2.20)
    re.M)


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


# Se agrega al final del notebook (solo en memoria): prueba que corrió en el
# entorno de Colab, con el paquete instalado y no con la carpeta del repositorio.
PROBE = """\
import sys, keras, numpy, tensorflow, helpers
print("SONDA", sys.executable, tensorflow.__version__, keras.__version__, numpy.__version__,
      helpers.__file__)
"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "solutions").as_posix())
def test_notebook_runs_in_colab_runtime(path: Path, colab_runtime: dict, tmp_path: Path) -> None:
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    content = tmp_path / "content"  # como /content en Colab: sin el repositorio
    content.mkdir()
    km = KernelManager(kernel_name=colab_env.KERNEL_NAME,
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(colab_env.KERNELS)]))
    client = NotebookClient(nb, km=km, timeout=600, record_timing=False,
                            resources={"metadata": {"path": str(content)}})
    try:
        client.execute(env=colab_env.kernel_env(tmp_path / "datos"), cwd=str(content))
    finally:
        # Con un KernelManager propio, nbclient no apaga el kernel: sin esto
        # quedaba vivo (~700 MB) hasta el final de la corrida.
        if km.has_kernel:
            km.shutdown_kernel(now=True)

    probe = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    pins = colab_env.pinned()
    assert probe.startswith("SONDA "), probe
    _, executable, tf_v, keras_v, np_v, helpers_file = probe.split()
    assert Path(executable).parent.parent == colab_env.VENV, executable
    assert (tf_v, keras_v, np_v) == (pins["tensorflow-cpu"], pins["keras"], pins["numpy"])
    assert Path(helpers_file).is_relative_to(colab_env.VENV), f"helpers importado de {helpers_file}"

    # Lo que ve el estudiante en Colab: sin errores ni mensajes de TensorFlow.
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{cell.get('id')}: {out.get('ename')}"
            text = out.get("text", "") if out.output_type == "stream" else ""
            m = TF_NOISE.search(text) or re.search(r"All log messages before absl::InitializeLog"
                                                   r"|rebuild TensorFlow with the appropriate", text)
            assert not m, (f"{cell.get('id')}: mensaje de TensorFlow en la salida: "
                           f"{text[m.start():m.start() + 160]!r}")
