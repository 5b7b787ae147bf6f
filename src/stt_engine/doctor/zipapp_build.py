"""Pack the doctor package (code and compat.json only) into a single-file zipapp."""

import os
import tempfile
import zipapp
from typing import Optional

_MAIN = "from stt_engine.doctor.__main__ import run\nraise SystemExit(run())\n"
_INIT = '"""Namespace for the packed doctor."""\n'


def build_zipapp(target: str, interpreter: Optional[str] = "/usr/bin/env python3") -> str:
    """Write ``target`` (e.g. doctor.pyz) and return its path."""
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as staging:
        package = os.path.join(staging, "stt_engine", "doctor")
        os.makedirs(package)
        with open(os.path.join(staging, "stt_engine", "__init__.py"), "w") as handle:
            handle.write(_INIT)
        for name in sorted(os.listdir(here)):
            if name.endswith((".py", ".json")):
                with open(os.path.join(here, name), "rb") as src:
                    data = src.read()
                with open(os.path.join(package, name), "wb") as dst:
                    dst.write(data)
        with open(os.path.join(staging, "__main__.py"), "w") as handle:
            handle.write(_MAIN)
        zipapp.create_archive(staging, target, interpreter=interpreter)
    return target
