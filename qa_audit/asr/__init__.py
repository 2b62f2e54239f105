"""Stage 2, speech recognition: Whisper backends, the embedded weights, role inference, transcript clean-up."""
