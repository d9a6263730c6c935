"""Engine tests run without Odoo: make the repository root importable.

There is deliberately no ``__init__.py`` here, and ``pytest.ini`` in this
folder makes it the rootdir, so pytest never imports ``tests/__init__.py``
(the Odoo test package, which needs a running Odoo).
"""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
