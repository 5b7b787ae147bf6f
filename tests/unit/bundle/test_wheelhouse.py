"""The build machine's pip: the version the wheelhouse needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from stt_engine.bundle.wheelhouse import check_pip
from stt_engine.errors import BundleError


def test_a_pip_too_old_to_resolve_for_another_machine_is_named(tmp_path: Path) -> None:
    old = tmp_path / "python"
    old.write_text(
        '#!/bin/sh\necho "pip 21.3.1 from /usr/lib/python3/dist-packages/pip (python 3.9)"\n'
    )
    old.chmod(0o755)
    with pytest.raises(BundleError, match=r"needs pip >= 22.2 \(found 21.3.1\)") as info:
        check_pip(str(old))
    assert "install --upgrade pip" in (info.value.hint or "")
