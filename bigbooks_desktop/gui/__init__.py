"""The desktop GUI: the only package that imports PySide6 or qasync."""

import os

# qasync picks its Qt binding from QT_API first; without it, it may try PyQt before PySide6.
os.environ.setdefault("QT_API", "pyside6")
