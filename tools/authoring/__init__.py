"""Escribir y publicar lecciones: la versión del estudiante (``release``), una
lección nueva (``new_lesson``), las celdas de nbgrader (``nb``), los minutos de
cada lección (``estimate_time``) y las soluciones ejecutadas (``run_solutions``)."""
