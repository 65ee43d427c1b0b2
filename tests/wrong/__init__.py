"""Implementaciones equivocadas pero plausibles de cada función evaluada.

Un módulo por notebook (``l<NN>_<nombre>.py``) con:

* ``NOTEBOOK``: ruta relativa a ``solutions/`` (p. ej. ``"clase_rnn/01_celda_elman.ipynb"``);
* ``WRONG``: ``{"nombre_de_funcion": [impl_equivocada, ...]}``; el docstring de
  cada implementación dice qué error comete.

``tests/test_wrong_answers.py`` prueba que cada una pierde puntos, y que toda
función evaluada de todas las tareas (``solutions/*/*.ipynb``) tiene su módulo,
salvo los notebooks de :data:`NOT_FUNCTIONS`. ``make new-lesson`` crea el
módulo de una lección nueva.
"""

#: Notebooks cuyas celdas de solución no son funciones sino el estado del
#: notebook del estudiante (corpus, modelo, tabla): no se pueden reemplazar por
#: una implementación equivocada. Cada uno dice dónde se prueban sus
#: comprobaciones con entradas equivocadas.
NOT_FUNCTIONS = {
    "desafio/desafio_generacion.ipynb": "tests/test_challenge.py",
}
