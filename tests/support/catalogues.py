"""bin/check_translations.py as a module (the catalogue tools the tests share with the script)."""
import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "bin" / "check_translations.py"
_spec = importlib.util.spec_from_file_location("check_translations", _PATH)
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)
