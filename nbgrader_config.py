# Configuración de nbgrader del curso. nbgrader la busca en el directorio
# actual: ejecutá nbgrader siempre desde la raíz del repositorio (o usá `make`).
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "rnn-pln"
c.CourseDirectory.source_directory = "solutions"   # notebooks del docente (fuente)
c.CourseDirectory.release_directory = "notebooks"  # versión del estudiante (generada)

# Tiempo máximo por celda al corregir: un bucle infinito cuesta solo esa celda.
c.Execute.timeout = 120

# Si el estudiante borra una celda de evaluación, nbgrader la vuelve a poner.
c.OverwriteCells.add_missing_cells = True

# Lo que ve el estudiante en lugar de la solución.
c.ClearSolutions.code_stub = {"python": "# TU CÓDIGO AQUÍ\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "TU RESPUESTA AQUÍ"
