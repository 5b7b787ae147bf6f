"""One local Ray instance for the whole folder, sized for a 2-core CI machine."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

ray = pytest.importorskip("ray", reason="the ray extra (stt-engine[ray]) is not installed")


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    """The GCS address of a Ray started here: 2 CPUs, a 256 MB object store, no dashboard.

    Token authentication is off for this private test instance (its token file in ~/.ray is
    shared with any other Ray on the machine); the drivers the tests start inherit that.
    """
    os.environ["RAY_AUTH_MODE"] = "disabled"
    context = ray.init(
        num_cpus=2,
        object_store_memory=256 * 2**20,
        include_dashboard=False,
        log_to_driver=False,
    )
    try:
        yield str(context.address_info["gcs_address"])
    finally:
        ray.shutdown()
