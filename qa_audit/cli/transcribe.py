"""``qa-audit transcribe``: recordings -> one transcript JSON per call (thin wrapper over
:func:`qa_audit.asr.transcriber.transcribe_paths`)."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("transcribe")
    def transcribe(
        inputs: List[Path] = typer.Argument(..., help="Audio files or folders (wav, mp3, m4a, flac, ogg, amr)."),
        out: Path = typer.Option(..., "--out", "-o", help="Folder for the transcripts (CALLID.json)."),
        backend: str = typer.Option("faster-whisper", "--backend", "-b",
                                    help="faster-whisper (CTranslate2 int8) or openai-whisper."),
        model: str = typer.Option("base", "--model", "-m",
                                  help="'base' (embedded, offline), a model name already on this machine, or a path."),
        metadata: Optional[Path] = typer.Option(None, "--metadata",
                                                help="calls CSV: file or call_id, agent_id, started_at, callee_relation, ..."),
        agent_channel: int = typer.Option(0, "--agent-channel", help="Stereo channel of the agent: 0 = left, 1 = right."),
        compute_type: str = typer.Option("int8", "--compute-type", help="faster-whisper compute type."),
        threads: int = typer.Option(0, "--threads", help="CPU threads (0 = library default)."),
        words: bool = typer.Option(False, "--words/--no-words", help="Keep word timestamps in the output."),
        cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Transcript cache (default OUT/.asr-cache)."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Transcribe again even if cached."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
        vocabulary: Optional[str] = typer.Option(
            None, "--vocabulary", help="Domain vocabulary for decoding: hotwords (faster-whisper; from the call's "
                                       "institution + collection terms), prompt, or none (default: asr/vocabulary.py)."),
    ) -> None:
        """Transcribe call recordings offline with Whisper (stereo: channel = speaker; mono: inferred)."""
        from rich.console import Console

        from qa_audit.asr.transcriber import transcribe_paths
        from qa_audit.asr.weights import WeightsError

        err = Console(stderr=True)
        if backend not in ("faster-whisper", "openai-whisper"):
            err.print(f"[red]error:[/] unknown backend {backend!r}; choose faster-whisper or openai-whisper")
            raise typer.Exit(2)
        try:
            summary = transcribe_paths(
                inputs, out, backend=backend, model=model, metadata_csv=metadata,
                agent_channel=agent_channel, compute_type=compute_type, cpu_threads=threads,
                words=words, cache_dir=cache_dir, use_cache=not no_cache, progress=not quiet, vocabulary=vocabulary,
                on_error=lambda f, msg: err.print(f"[red]failed:[/] {msg}", highlight=False, soft_wrap=True))
        except (WeightsError, ValueError) as e:
            err.print(f"[red]error:[/] {e}", highlight=False, soft_wrap=True)
            raise typer.Exit(2)
        n_ok = len(summary.written)
        rtf = f", RTF {summary.seconds / summary.audio_seconds:.3f}" if summary.audio_seconds else ""
        err.print(f"{n_ok} transcript(s) in {out} ({len(summary.cached)} from cache), "
                  f"{len(summary.failed)} failed; {summary.audio_seconds:.0f} s of audio in "
                  f"{summary.seconds:.0f} s{rtf}", highlight=False, soft_wrap=True)
        if summary.failed:
            raise typer.Exit(1)
