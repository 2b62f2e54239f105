"""Stage 2, speech recognition: Whisper backends, the embedded weights, role inference, transcript clean-up.

``transcriber`` (Transcriber, transcribe_paths) drives ``backends`` (faster-whisper / openai-whisper,
the model), ``turns`` (words to VAD turns, fallback, merging), ``cleanup`` (hallucination filter,
simplified Chinese), ``metadata`` (the calls CSV), ``roles`` (mono calls) and ``weights``.
"""
