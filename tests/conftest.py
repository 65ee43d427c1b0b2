import sys
from pathlib import Path

# tests/ en el path: notebook_harness y el paquete wrong.
sys.path.insert(0, str(Path(__file__).resolve().parent))
