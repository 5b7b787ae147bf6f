"""``python -m stt_engine.cli`` runs the command line."""

from stt_engine.cli import main

main()
