"""Live transcription: OpenAI's Realtime protocol (GA and beta), turns, partials, formats."""
