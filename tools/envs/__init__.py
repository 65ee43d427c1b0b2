"""Entornos: JupyterLab para el curso (``lab``, ``make lab``), el entorno con las
versiones de Colab (``colab_env``) y lo que CI instala (``ci_setup.sh``)."""
