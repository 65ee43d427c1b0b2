"""``import helpers`` antes que TensorFlow deja las salidas sin sus mensajes de
arranque ni los ``E0000 … node_def_util.cc`` al entrenar, sin esconder una
advertencia o un error de verdad (helpers.config.quiet_tensorflow)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from tools import ROOT

# Formato de los mensajes de C++ de TensorFlow (absl/glog) y la línea de absl.
CPP_LOG = re.compile(
    r"^(?:[IWEF]\d{4} [\d:.]+\s+\d+ \S+:\d+\]"                    # absl (TF ≥ 2.21)
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] \S+:\d+\])",       # glog (TF ≤ 2.20)
    re.M)
ABSL_PREINIT = "All log messages before absl::InitializeLog()"


def _run(code: str, env_extra: dict[str, str] | None = None,
         pythonpath: list[Path] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"TF_CPP_MIN_LOG_LEVEL"}}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (pythonpath or []) + [ROOT])
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=env, timeout=300, cwd=ROOT)


TRAIN = """
    import numpy as np
    import tensorflow as tf
    import keras
    keras.utils.set_random_seed(0)
    tf.config.experimental.enable_op_determinism()
    x = np.random.rand(64, 5, 3).astype("float32")
    y = np.random.randint(0, 2, 64)
    m = keras.Sequential([keras.Input((5, 3)), keras.layers.SimpleRNN(4), keras.layers.Dense(2)])
    m.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    m.fit(x, y, validation_data=(x, y), epochs=2, batch_size=32, verbose=0)
    print("entrenó")
"""


def test_tensorflow_is_noisy_without_helpers() -> None:
    """Control: sin ``import helpers`` (y sin variables de entorno, como en
    Colab) TensorFlow sí escribe esos mensajes; si no, la prueba de abajo no
    probaría nada."""
    proc = _run(TRAIN)
    assert proc.returncode == 0, proc.stderr
    assert CPP_LOG.search(proc.stderr), f"TensorFlow ya no escribe mensajes de C++:\n{proc.stderr}"


def test_no_tensorflow_noise_after_import_helpers() -> None:
    proc = _run("import helpers\n" + textwrap.dedent(TRAIN))
    assert proc.returncode == 0, proc.stderr
    assert "entrenó" in proc.stdout
    assert not CPP_LOG.search(proc.stderr) and ABSL_PREINIT not in proc.stderr, proc.stderr


def test_explicit_log_level_is_respected() -> None:
    proc = _run("import helpers, os; print(os.environ['TF_CPP_MIN_LOG_LEVEL'])",
                {"TF_CPP_MIN_LOG_LEVEL": "0"})
    assert proc.stdout.strip() == "0"
    proc = _run("import helpers, os; print(os.environ['TF_CPP_MIN_LOG_LEVEL'])")
    assert proc.stdout.strip() == "3"


def test_real_messages_during_import_still_reach_the_user(tmp_path: Path) -> None:
    """Un ``tensorflow`` de juguete que, al importarse, escribe ruido de arranque
    y también una advertencia de Python y una línea de error cualquiera: solo
    desaparece el ruido."""
    fake = tmp_path / "tensorflow"
    fake.mkdir()
    (fake / "__init__.py").write_text(textwrap.dedent("""
        import os, warnings
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called "
                    b"are written to STDERR\\n")
        os.write(2, b"I0000 00:00:1795963128.847681    7221 port.cc:153] oneDNN custom operations are on.\\n")
        os.write(2, b"E0000 00:00:1795963128.9    7221 cuda_dnn.cc:8310] Unable to register cuDNN factory\\n")
        os.write(2, b"2024-01-01 12:00:00.000000: I tensorflow/core/platform/cpu_feature_guard.cc:210] "
                    b"This TensorFlow binary is optimized to use available CPU instructions.\\n")
        os.write(2, b"To enable the following instructions: AVX2 FMA, in other operations, "
                    b"rebuild TensorFlow with the appropriate compiler flags.\\n")
        os.write(2, b"Error real: falta libcudart.so\\n")
        warnings.warn("advertencia real al importar")
        VALOR = 42
    """))
    proc = _run("import helpers\nimport tensorflow\nprint(tensorflow.VALOR)", pythonpath=[tmp_path])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "42"
    assert "Error real: falta libcudart.so" in proc.stderr
    assert "advertencia real al importar" in proc.stderr
    for noise in (ABSL_PREINIT, "oneDNN", "cuDNN", "optimized to use", "rebuild TensorFlow"):
        assert noise not in proc.stderr, f"quedó {noise!r}:\n{proc.stderr}"
    # Y el módulo quedó con su cargador normal (nada de envoltorios a la vista).
    proc = _run("import helpers, tensorflow; print(type(tensorflow.__spec__.loader).__name__)",
                pythonpath=[tmp_path])
    assert proc.stdout.strip() == "SourceFileLoader", proc.stderr


def test_an_import_error_is_not_swallowed(tmp_path: Path) -> None:
    fake = tmp_path / "tensorflow"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('TensorFlow roto')\n")
    proc = _run("import helpers\nimport tensorflow", pythonpath=[tmp_path])
    assert proc.returncode != 0
    assert "ImportError: TensorFlow roto" in proc.stderr
