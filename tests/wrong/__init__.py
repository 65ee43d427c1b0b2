"""Implementaciones equivocadas pero plausibles de cada función evaluada.

Un módulo por notebook (``l<NN>_<nombre>.py``) con:

* ``NOTEBOOK``: ruta relativa a ``solutions/`` (p. ej. ``"clase_rnn/01_celda_elman.ipynb"``);
* ``WRONG``: ``{"nombre_de_funcion": [impl_equivocada, ...]}``; el docstring de
  cada implementación dice qué error comete.

``tests/test_wrong_answers.py`` prueba que cada una pierde puntos.
"""
