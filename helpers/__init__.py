"""Helpers del curso «Redes neuronales recurrentes para PLN».

Contiene lo que las lecciones *no* le piden escribir al estudiante: descarga y
limpieza de corpus, tokenización, utilidades de entrenamiento, gráficos y las
comprobaciones que dan devoluciones en castellano en las celdas de evaluación.

Los submódulos que dependen de TensorFlow se importan por separado, para que
``import helpers`` sea liviano. Importar ``helpers`` antes que ``keras`` o
``tensorflow`` deja las salidas sin los mensajes de arranque de TensorFlow
(:func:`helpers.config.quiet_tensorflow`).
"""

from helpers.config import fast_mode, pick, quiet_tensorflow, seed_everything

quiet_tensorflow()

__all__ = ["fast_mode", "pick", "quiet_tensorflow", "seed_everything"]
__version__ = "0.1.0"
