"""Durable transcription jobs: submit long recordings, survive crashes, get notified.

``store`` (SQLite, WAL), ``worker`` (background threads, each job an owner of the engine's
batcher like any request), ``webhooks``, ``intake`` (where audio comes from), ``results``
(transcripts on disk) and ``service`` (all of it, started and stopped by the server).
"""
