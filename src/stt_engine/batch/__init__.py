"""Batch transcription of files, folders, manifests and list files: in-process or on Ray Data.

``inputs`` lists the work, ``outputs`` writes transcripts and the results manifest (atomic,
idempotent, one writer), ``work`` transcribes one item, ``run_local`` and ``run_ray`` drive a
whole run, and ``serve_app`` deploys the HTTP API on Ray Serve. Nothing here imports Ray until a
Ray mode is asked for.
"""
