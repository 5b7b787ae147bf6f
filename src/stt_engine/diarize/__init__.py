"""Speaker diarization: who spoke when, and which speaker said each word or segment.

``turns`` holds the result type and the backend contract, ``assign`` puts speakers on a
transcript, ``stereo`` labels the channels of a two-party recording, ``senko_backend`` is the
only module that imports the clustering pipeline (and torch), ``run`` ties them together.
"""
