"""``python -m tools.lms``."""

import sys

from tools.lms.moodle_canvas import main

sys.exit(main())
