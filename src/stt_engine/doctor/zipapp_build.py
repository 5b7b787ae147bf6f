"""Pack the doctor package (code and compat.json only) into a single-file zipapp."""

import os
import tempfile
import zipapp
from typing import Optional

# The zipapp's entry point. It must parse on Python 2 and on any 3.x, so that an old interpreter
# gets a sentence and exit 2 instead of a SyntaxError from the doctor's modules.
_MAIN = """import sys

if sys.version_info < (3, 6):
    sys.stderr.write(
        "doctor.pyz needs Python 3.6 or newer; %s is Python %d.%d.\\n"
        "Run it with python3, e.g.: python3 %s\\n"
        % (sys.executable or "this interpreter", sys.version_info[0], sys.version_info[1],
           sys.argv[0])
    )
    sys.exit(2)

from stt_engine.doctor.__main__ import run

sys.exit(run())
"""
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
