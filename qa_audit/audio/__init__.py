"""Stage 1, audio: decoding with ffmpeg, channel split, voice-activity turns and audio metrics."""
