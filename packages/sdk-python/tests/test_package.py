"""The wheel, as a user gets the SDK: built by build_wheel.py (standard library only), installed with pip into a
fresh virtual environment, and the README's quick start run from a fresh directory against a real Gatrix.

Nothing of the checkout is on the path there: the quick start imports the installed ``gatrix``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path
from typing import List, Optional

from .support import PACKAGE_DIR, GatrixServer, start_with_key
from .test_readme import tested_blocks

server: Optional[GatrixServer] = None
api_key = ""


def setUpModule() -> None:
    global server, api_key
    server, api_key = start_with_key("admin")


def tearDownModule() -> None:
    if server is not None:
        server.stop()


def run(args: List[str], cwd: Path) -> str:
    # No PYTHONPATH (the test runner's may point at the checkout) and no pip configuration from the caller.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "TMPDIR", "LANG", "SYSTEMROOT")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    done = subprocess.run(args, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}")
    return done.stdout


class WheelTests(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="gatrix-wheel-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_the_wheel_installs_into_a_fresh_venv_and_the_quick_start_runs_from_a_fresh_directory(self) -> None:
        assert server is not None
        wheel = Path(run([sys.executable, str(PACKAGE_DIR / "build_wheel.py"), str(self.tmp / "dist")], PACKAGE_DIR).strip())
        self.assertEqual(wheel.name, "gatrix-0.1.0-py3-none-any.whl")
        with zipfile.ZipFile(wheel) as z:
            names = z.namelist()
            self.assertIn("gatrix/py.typed", names)
            self.assertIn("gatrix-0.1.0.dist-info/RECORD", names)
            self.assertFalse([n for n in names if not n.startswith(("gatrix/", "gatrix-0.1.0.dist-info/"))], names)

        venv = self.tmp / "venv"
        run([sys.executable, "-m", "venv", str(venv)], self.tmp)
        python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        run([str(python), "-m", "pip", "install", "--no-index", "--no-deps", "--quiet", str(wheel)], self.tmp)

        app = self.tmp / "app"
        app.mkdir()
        quick_start = tested_blocks()[0].replace("'your-api-key'", repr(api_key)).replace("'https://api.gatrix.com'", repr(server.base_url))
        (app / "quickstart.py").write_text(
            quick_start + "\nimport gatrix\nprint(gatrix.__file__)\nprint(user.username, world.world_id, len(versions.data))\n", encoding="utf-8"
        )
        out = run([str(python), "quickstart.py"], app).splitlines()
        self.assertTrue(Path(out[-2]).resolve().is_relative_to(venv.resolve()), f"gatrix came from {out[-2]}, not the venv")
        self.assertEqual(out[-1], "player123 world_001 0")


if __name__ == "__main__":
    unittest.main()
