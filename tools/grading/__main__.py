"""``python -m tools.grading`` (``make autograde``, ``make feedback``)."""

import sys

from tools.grading.cli import main

sys.exit(main())
