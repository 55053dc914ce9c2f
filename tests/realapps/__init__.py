"""driftaudit proven on reusable apps from PyPI (see test_realapps.py)."""
