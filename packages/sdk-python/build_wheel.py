#!/usr/bin/env python3
"""Builds the wheel of the ``gatrix`` package with the standard library alone: no pip, setuptools or wheel needed.

    python3 build_wheel.py [output-dir]     # writes <output-dir>/gatrix-<version>-py3-none-any.whl (default: dist/)

A wheel is a zip of the package and a ``<name>-<version>.dist-info`` directory (METADATA, WHEEL, RECORD); the
metadata comes from pyproject.toml. ``pip install <wheel>`` installs it. Where setuptools and wheel are at hand,
``python3 -m pip wheel --no-deps --no-build-isolation .`` builds an equivalent one.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
import zipfile
from pathlib import Path
from typing import List, Tuple

HERE = Path(__file__).resolve().parent


def project() -> Tuple[str, str, List[Tuple[str, str]]]:
    """Name, version and the METADATA headers, from the [project] table of pyproject.toml."""
    text = (HERE / "pyproject.toml").read_text(encoding="utf-8")
    table = re.search(r"^\[project\]\n(.*?)(?=^\[|\Z)", text, flags=re.S | re.M)
    if not table:
        raise SystemExit("pyproject.toml has no [project] table")
    body = table.group(1)

    def scalar(key: str) -> str:
        m = re.search(rf'^{re.escape(key)} = "([^"]*)"$', body, flags=re.M)
        if not m:
            raise SystemExit(f"pyproject.toml: [project] {key} is missing")
        return m.group(1)

    def array(key: str) -> List[str]:
        m = re.search(rf"^{re.escape(key)} = \[(.*?)\]", body, flags=re.M | re.S)
        return re.findall(r'"([^"]*)"', m.group(1)) if m else []

    if array("dependencies"):
        raise SystemExit("this builder writes no Requires-Dist: the SDK has no dependencies")
    name, version = scalar("name"), scalar("version")
    headers = [
        ("Metadata-Version", "2.1"),
        ("Name", name),
        ("Version", version),
        ("Summary", scalar("description")),
        ("Requires-Python", scalar("requires-python")),
        ("Keywords", ",".join(array("keywords"))),
        *[("Classifier", c) for c in array("classifiers")],
        ("Description-Content-Type", "text/markdown"),
    ]
    return name, version, headers


def build(out_dir: Path) -> Path:
    name, version, headers = project()
    dist_info = f"{name}-{version}.dist-info"
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    files = [(p.relative_to(HERE).as_posix(), p.read_bytes()) for p in sorted((HERE / name).rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    files.append((f"{dist_info}/METADATA", ("".join(f"{k}: {v}\n" for k, v in headers) + "\n" + readme).encode("utf-8")))
    files.append((f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: gatrix build_wheel.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"))
    record = "".join(
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n" for path, data in files
    )
    files.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode("utf-8")))

    out_dir.mkdir(parents=True, exist_ok=True)
    wheel = out_dir / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files:
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))  # reproducible
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return wheel


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "dist"))
