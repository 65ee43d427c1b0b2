"""Piezas de tools.autograding que no necesitan correr nbgrader."""

from __future__ import annotations

import pytest

from tools.autograding import HIDDEN_FAILED, HideHiddenTests, find_tampering, hidden_line_range


@pytest.mark.parametrize("code", [
    "import numpy as np\nnp.any = lambda *a, **k: False",
    "import numpy\nnumpy.testing.assert_allclose = print",
    "from numpy import testing\ntesting.assert_allclose = print",
    "import helpers.checks as hc\nhc.check_close = print",
    "from helpers import checks\nsetattr(checks, 'check_close', print)",
    "import sys\nsys.modules['helpers.checks'] = None",
    "__builtins__.isinstance = lambda *a: True",
    "import builtins\ndel builtins.AssertionError",
    "import numpy as np\ndef f():\n    np.allclose = lambda *a, **k: True",
])
def test_tampering_is_detected(code: str) -> None:
    assert find_tampering([code])


@pytest.mark.parametrize("code", [
    "import numpy as np\nnp.random.seed(0)\nx = np.zeros(3)\nx[0] = 1",
    "import matplotlib.pyplot as plt\nplt.rcParams['figure.figsize'] = (8, 4)",
    "import os\nos.environ['COURSE_FAST'] = '1'",
    "import numpy as np\nnp.set_printoptions(precision=3)",
    "%matplotlib inline\nimport numpy as np",
    "this is not python",
])
def test_ordinary_code_is_not_flagged(code: str) -> None:
    assert find_tampering([code]) == []


def test_aliases_from_one_cell_apply_to_the_next() -> None:
    assert find_tampering(["import numpy as np", "np.abs = abs"])


def test_hidden_range_and_feedback_cleanup() -> None:
    import nbformat

    src = "check(1)\n### BEGIN HIDDEN TESTS\nsecret(2)\n### END HIDDEN TESTS"
    assert hidden_line_range(src) == (2, 4)
    assert hidden_line_range("check(1)") is None
    cell = nbformat.v4.new_code_cell(src)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "t", "points": 1,
                                 "solution": False, "locked": True, "schema_version": 3}
    cell.outputs = [nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="se esperaba 3",
        traceback=["\x1b[0;31mAssertionError\x1b[0m", "Cell In[7], line 3\n----> 3 secret(2)"])]
    out, _ = HideHiddenTests().preprocess_cell(cell, {}, 0)
    assert "secret" not in out.source and "check(1)" in out.source
    assert out.outputs[0]["evalue"] == HIDDEN_FAILED
    assert out.outputs[0]["traceback"] == [f"AssertionError: {HIDDEN_FAILED}"]
    visible = nbformat.v4.new_code_cell(src)
    visible.metadata = cell.metadata
    visible.outputs = [nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="f: se esperaba 2",
        traceback=["Cell In[7], line 1\n----> 1 check(1)"])]
    out, _ = HideHiddenTests().preprocess_cell(visible, {}, 0)
    assert out.outputs[0]["evalue"] == "f: se esperaba 2"


def test_a_hidden_failure_names_its_case_not_its_code() -> None:
    """helpers.checks.case pone el nombre del caso en el mensaje: la devolución lo
    muestra (con lo esperado y lo obtenido) y sigue sin mostrar el código."""
    import nbformat

    from helpers import checks

    src = ("check(1)\n### BEGIN HIDDEN TESTS\nwith checks.case('secuencia vacía (T = 0)'):\n"
           "    secreto(0)\n### END HIDDEN TESTS")
    try:
        with checks.case("secuencia vacía (T = 0)"):
            raise AssertionError("f(...): se esperaba (2, 4) y se obtuvo (2, 0)")
    except AssertionError as exc:
        evalue = str(exc)
    cell = nbformat.v4.new_code_cell(src)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "t", "points": 2,
                                 "solution": False, "locked": True, "schema_version": 3}
    cell.outputs = [nbformat.v4.new_output(
        "error", ename="AssertionError", evalue=evalue,
        traceback=["Cell In[3], line 3\n----> 3 with checks.case('secuencia vacía (T = 0)'):"])]
    out, _ = HideHiddenTests().preprocess_cell(cell, {}, 0)
    shown = out.outputs[0]["evalue"]
    assert shown == ("Falló una prueba oculta. Caso «secuencia vacía (T = 0)»: "
                     "f(...): se esperaba (2, 4) y se obtuvo (2, 0)")
    assert "secreto" not in out.source and "secreto" not in str(out.outputs)


def test_personal_metadata_is_stripped_and_nbgrader_kept() -> None:
    import nbformat

    from tools.autograding import StripPersonalData

    nb = nbformat.v4.new_notebook()
    nb.metadata.update({"colab": {"provenance": [], "name": "x.ipynb"}, "accelerator": "GPU",
                        "kernelspec": {"name": "python3", "display_name": "Python 3"},
                        "language_info": {"name": "python"},
                        "rnn_grading": {"notes": ["inventada por el estudiante"]}})
    cell = nbformat.v4.new_code_cell("x = 1")
    grading_meta = {"grade": False, "grade_id": "x", "locked": False, "solution": True,
                    "schema_version": 3}
    cell.metadata.update({
        "nbgrader": grading_meta, "tags": ["t"], "id": "nWq-7cPBcWUU", "outputId": "d1c9",
        "colab": {"base_uri": "https://localhost:8080/"},
        "executionInfo": {"status": "ok", "user": {"displayName": "Ana", "userId": "1",
                                                   "photoUrl": "https://lh3/a.jpg"}}})
    nb.cells = [cell]
    out, _ = StripPersonalData().preprocess(nb, {})
    assert set(out.metadata) == {"kernelspec", "language_info"}
    assert out.cells[0].metadata == {"nbgrader": grading_meta, "tags": ["t"]}


def test_alignment_skips_added_cells_and_keeps_order() -> None:
    import nbformat

    from tools.autograding import RefCell, align

    ref = [RefCell("markdown", "# Título"), RefCell("code", "import numpy as np", "setup"),
           RefCell("code", "def f(x):\n    raise NotImplementedError()", "f", "solution", ("f",)),
           RefCell("code", "check_equal(f(1), 2)", "test_f"), RefCell("markdown", "## Fin")]
    sub = [nbformat.v4.new_markdown_cell("# Título"), nbformat.v4.new_code_cell("import numpy as np"),
           nbformat.v4.new_code_cell("y = 3  # una prueba mía"),
           nbformat.v4.new_code_cell("def f(x):\n    return x + 1"),
           nbformat.v4.new_code_cell("check_equal(f(1), 2)  "), nbformat.v4.new_markdown_cell("## Fin")]
    assert align(sub, ref, fixed={}) == {0: 0, 1: 1, 3: 2, 4: 3, 5: 4}
    # Una celda ya identificada (por metadata o id) no se empareja con otra.
    assert align(sub, ref, fixed={4: 2}).get(4) == 2
    assert 3 not in align(sub, ref, fixed={4: 2})
    # Sin nada en común, nada se empareja (salvo soluciones, por posición).
    other = [nbformat.v4.new_markdown_cell("Otra cosa"), nbformat.v4.new_code_cell("z = 0")]
    pairs = align(other, ref, fixed={})
    assert all(ref[j].role == "solution" for j in pairs.values())


def test_hidden_tests_removed_like_the_release() -> None:
    from tools.autograding import without_hidden_tests

    src = "a\n### BEGIN HIDDEN TESTS\nsecret\n### END HIDDEN TESTS\nb"
    assert without_hidden_tests(src) == "a\nb"
    assert without_hidden_tests("a\nb") == "a\nb"
