"""Offline bundles: one archive that carries stt-engine onto an air-gapped server.

An unpacked bundle looks like this::

    stt-engine-bundle-<version>-<flavour>/
      manifest.json      every other file with size and sha256, target, versions, build time
      SHA256SUMS         the same checksums for ``sha256sum -c``
      README.md          the exact commands to run on the server
      install.sh         verify, create a venv, install offline, place the models
      doctor.pyz         the standard-library doctor, to run before installing
      wheels/            stt-engine's own wheel and every dependency for the target
                         (cuda12: also the CUDA user-space wheels CTranslate2 needs)
      models/<name>/     ready CTranslate2 model folders with their stt-engine-model.json
      deploy/            Containerfile, entrypoint.sh, compose.yaml, stt-engine.service

Models travel as assembled folders, not as the pip packages that carry split weights: the
server then needs no assembly step and ``models/<name>`` can be mounted into a container as is.

Nothing here imports the inference libraries; ``stt-engine bundle`` stays light.
"""
