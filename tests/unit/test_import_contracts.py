"""The layering that holds today stays: import-linter's contracts (.importlinter) are checked with
the tests, so a service importing a view or a model importing a service fails here."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports() -> list[str]:
    found = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "importlinter.cli"]


def test_the_import_contracts_are_kept():
    result = subprocess.run(_lint_imports() + ["--config", str(ROOT / ".importlinter"),
                                               "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout and " kept" in result.stdout


def test_a_broken_contract_is_reported(tmp_path):
    """The check can fail: business rules do read the models, so forbidding it is broken."""
    config = tmp_path / "broken.ini"
    config.write_text("[importlinter]\nroot_packages =\n    app\n\n"
                      "[importlinter:contract:x]\nname = services without models\ntype = forbidden\n"
                      "source_modules =\n    app.services\nforbidden_modules =\n    app.models\n")
    result = subprocess.run(_lint_imports() + ["--config", str(config), "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode != 0 and "BROKEN" in result.stdout
