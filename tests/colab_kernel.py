"""nbval en el runtime de Colab: cada notebook de ``solutions/``, celda por celda,
en un kernel del entorno de ``tools/envs/colab_env.py`` (versiones de
``constraints/colab.txt``, el curso instalado sin extras como lo instala la
primera celda en Colab).

Se activa con ``--nbval-kernel-name colab-runtime`` (lo pone ``make test``). Con
``--nbval-current-env`` (o sin ``make``) nbval usa el entorno de las pruebas,
como siempre.

Cada kernel arranca como un notebook en Colab, en su propia máquina:

* espera a que el entorno esté listo (``make test`` lo arma en segundo plano;
  corrido a mano, lo arma acá);
* una carpeta vacía como directorio de trabajo (como ``/content``: sin el
  repositorio, así ``helpers`` sale del paquete instalado) y una caché de datos
  y modelos vacía y propia (las lecciones 05 y 06 entrenan el modelo de la 04,
  como en Colab);
* el entorno de :func:`colab_env.kernel_env` (sin ``TF_CPP_MIN_LOG_LEVEL`` ni
  ``MPLBACKEND``: nadie los fija en Colab);
* antes de la primera celda, una sonda sin historial (no importa TensorFlow: la
  lección lo importa después de ``helpers``, que lo silencia) comprueba que es
  el Python de ese entorno, con las versiones fijadas y ``helpers`` instalado
  ahí.

Y en cada celda, lo que ve el estudiante: ningún mensaje de C++ de TensorFlow
en las salidas.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.output_checks import tf_noise_line
from tools.envs import colab_env


# Sin importar TensorFlow ni los helpers: solo dónde están y en qué versión.
PROBE = """\
import sys, importlib.metadata as _md, importlib.util as _iu
print("SONDA", sys.executable, _md.version("tensorflow-cpu"), _md.version("keras"),
      _md.version("numpy"), _iu.find_spec("helpers").origin)
del _md, _iu
"""

_session: dict[str, Path] = {}


def check_probe(line: str) -> None:
    """Falla si la sonda no corrió en el entorno de Colab con sus versiones."""
    pins = colab_env.pinned()
    if not line.startswith("SONDA "):
        raise RuntimeError(f"la sonda del entorno de Colab no respondió: {line!r}")
    _, executable, tf_v, keras_v, np_v, helpers_file = line.split()
    problems = []
    if Path(executable).parent.parent != colab_env.VENV:
        problems.append(f"Python {executable} (se esperaba el de {colab_env.VENV})")
    expected = (pins["tensorflow-cpu"], pins["keras"], pins["numpy"])
    if (tf_v, keras_v, np_v) != expected:
        problems.append(f"TensorFlow/Keras/NumPy {tf_v}/{keras_v}/{np_v} (fijadas: "
                        f"{'/'.join(expected)})")
    if not Path(helpers_file).is_relative_to(colab_env.VENV):
        problems.append(f"helpers importado de {helpers_file} (no del paquete instalado)")
    if problems:
        raise RuntimeError("el kernel no es el del runtime de Colab: " + "; ".join(problems))


def start_colab_kernel(startup_timeout: float = 60, **kwargs):
    """``(KernelManager, cliente)`` de un kernel nuevo del runtime de Colab, listo
    y comprobado con la sonda (la firma de ``nbval.kernel.start_new_kernel``)."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    colab_env.prepare()  # espera al de make test (candado) o lo arma
    base = _session.setdefault("dir", Path(tempfile.mkdtemp(prefix="nbval-colab-")))
    machine = Path(tempfile.mkdtemp(dir=base))
    (machine / "content").mkdir()
    km = KernelManager(kernel_name=colab_env.KERNEL_NAME,
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(colab_env.KERNELS)]))
    km.start_kernel(env=colab_env.kernel_env(machine / "datos"), cwd=str(machine / "content"),
                    stderr=kwargs.get("stderr"))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=startup_timeout)
        said: list[str] = []
        reply = kc.execute_interactive(
            PROBE, store_history=False, timeout=startup_timeout,
            output_hook=lambda msg: said.append(msg["content"].get("text", "")))
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"la sonda falló: {reply['content'].get('evalue')}")
        check_probe("".join(said).strip())
    except BaseException:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    return km, kc


def pytest_configure(config: pytest.Config) -> None:
    if getattr(config.option, "nbval_kernel_name", None) != colab_env.KERNEL_NAME:
        return
    import nbval.kernel

    original = nbval.kernel.start_new_kernel

    def start(startup_timeout=60, kernel_name="python", **kwargs):
        if kernel_name != colab_env.KERNEL_NAME:
            return original(startup_timeout=startup_timeout, kernel_name=kernel_name, **kwargs)
        return start_colab_kernel(startup_timeout, **kwargs)

    nbval.kernel.start_new_kernel = start


def pytest_unconfigure(config: pytest.Config) -> None:  # noqa: ARG001
    base = _session.pop("dir", None)
    if base is not None:
        shutil.rmtree(base, ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    result = yield
    # Celdas de nbval: sus salidas quedan en test_outputs.
    for out in getattr(item, "test_outputs", None) or []:
        if out.get("output_type") == "stream":
            noise = tf_noise_line(out.get("text", ""))
            if noise is not None:
                pytest.fail(f"mensaje de TensorFlow en la salida: {noise!r}", pytrace=False)
    return result
