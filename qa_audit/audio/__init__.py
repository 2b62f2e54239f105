"""Stage 1, audio: decoding with ffmpeg, channel split, voice-activity turns and audio metrics.

``decode`` (probe, decode a channel), ``vad`` (speech turns), ``metrics`` (talk time, silence,
overtalk); the public names are re-exported here.
"""
from qa_audit.audio.decode import AUDIO_EXTENSIONS, SAMPLE_RATE, AudioError, AudioInfo, decode_channel, iter_channel, probe
from qa_audit.audio.metrics import audio_metrics, call_audio_metrics, median_f0, segments_audio_metrics
from qa_audit.audio.vad import Turn, channel_turns, speech_intervals

__all__ = ["AUDIO_EXTENSIONS", "SAMPLE_RATE", "AudioError", "AudioInfo", "Turn", "audio_metrics",
           "call_audio_metrics", "channel_turns", "decode_channel", "iter_channel", "median_f0", "probe",
           "segments_audio_metrics", "speech_intervals"]
