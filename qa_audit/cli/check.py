"""``qa-audit check "坐席: …" ["客户: …"]``: what the rules and the model find in a few sentences."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check_cmd(
        turns: List[str] = typer.Argument(..., help='Turns such as "坐席: 明天我们的人就去你单位" "客户: …" '
                                                    "(no prefix: the agent)."),
        model: Optional[str] = typer.Option("packaged", "--model",
                                            help="Second-opinion model: packaged (default), a .npz path, or none."),
        self_id: bool = typer.Option(False, "--self-id", help="Also judge 未表明机构身份 (whole calls only)."),
        config: Optional[Path] = typer.Option(None, "--config", "-c"),
    ) -> None:
        """Check sentences: prints the findings with a Chinese explanation; exit 1 when something is found."""
        from qa_audit.core.config import Config, ConfigError
        from qa_audit.detect.check import CheckError, check_turns, format_result, parse_turns
        from qa_audit.detect.detector import Detector
        from qa_audit.detect.learned import ModelError
        from qa_audit.detect.lexicon import LexiconError

        try:
            parsed = parse_turns(turns)
            so = False if (model or "").lower() in ("none", "off", "false", "") else model
            det = Detector.load(Config.load(config), second_opinion=so)
        except CheckError as e:
            typer.echo(f"错误：{e}", err=True)
            raise typer.Exit(2)
        except (ConfigError, LexiconError, ModelError) as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2)
        res = check_turns(det, parsed, self_id=self_id)
        typer.echo(format_result(res))
        raise typer.Exit(1 if res.found else 0)
