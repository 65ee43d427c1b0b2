"""Herramientas de mantenimiento del curso (no las usa el estudiante)."""
