"""COLD (thu-coai/COLDataset, Apache-2.0) as extra ``abuse`` training text for the second opinion.

COLD is *not* part of this repository (nor of the packaged model's examples): ``qa-audit train --cold
PATH`` reads it from a local checkout — a work tree or a bare/mirror git directory holding
``COLDataset/{train,dev,test}.csv`` (columns ``TEXT``, ``label`` 0 safe / 1 offensive, ``topic``;
``fine-grained-label`` exists in test.csv only).  Only the **train** split is trained on; dev is for
choosing a weight; test is never read here.

COLD's offensive comments are mostly attacks on groups (region, race, gender) on social media.  What
matters for a collector's call is an insult to the person on the line, and train.csv has no
fine-grained "attacks an individual" label, so the positives are approximated (:func:`select`):
offensive comments addressed to one person (你/您, not 你们/您们/大家) that name no group
(:data:`GROUP_WORDS`: races, regions, genders …), at most ``max_len`` characters.  Negatives are safe
comments passing the same filter, subsampled to ``neg_ratio`` × the positives, so that they do not
swamp the labelled calls.  Every COLD turn is labelled for ``abuse`` only (unknown for the other
categories) and weighted ``weight`` (< 1) relative to a labelled call turn.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

SPLITS = ("train", "dev")   # test is for measuring only: never read by training

# Words that make a comment about a group (COLD's topics: race, region, gender) rather than a person.
_PROVINCES = ("北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 "
              "海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙 广西 西藏 宁夏 新疆 香港 澳门 东北 西北 华北 江浙 "
              "苏北 苏南 南方人 北方人 外地人 农村人 地域").split()
_RACE = ("黑人 黑鬼 白人 黄种 非洲 美国 日本 韩国 印度 外国 老外 洋人 种族 民族 穆斯林 犹太 欧洲 "
         "阿三 尼哥 黑叔 黑哥 棒子 鬼子 汉族 少数民族").split()
_GENDER = ("女性 男性 女人 男人 女生 男生 女权 男权 田园 女的 男的 妇女 直男 女方 男方 性别 "
           "姐妹 小仙女 普信 拳师 打拳 重男轻女 婊").split()
GROUP_WORDS = tuple(_PROVINCES + _RACE + _GENDER + ["人都", "人就", "地区", "国人", "歧视"])
_GROUP = re.compile("|".join(sorted(map(re.escape, GROUP_WORDS), key=len, reverse=True)))
_SINGULAR = re.compile("你|您")
_PLURAL = re.compile("你们|您们|大家|各位")


class ColdError(ValueError):
    """COLD cannot be read: the message names the path and what is missing."""


@dataclass
class ColdSource:
    path: str
    split: str
    version: str        # git commit of a git directory, or sha1 of the CSV file (reproducibility)
    text: str           # the CSV text


def read_split(path: str | Path, split: str = "train") -> ColdSource:
    """The CSV of one split from a work tree or a (bare) git directory."""
    if split not in SPLITS:
        raise ColdError(f"{path}: the COLD {split} split is not read for training (only {', '.join(SPLITS)})")
    path = Path(path)
    rel = f"COLDataset/{split}.csv"
    for f in (path / rel, path / f"{split}.csv", path if path.is_file() else None):
        if f is not None and f.is_file():
            raw = f.read_bytes()
            return ColdSource(str(path), split, "sha1:" + hashlib.sha1(raw).hexdigest()[:12],
                              raw.decode("utf-8-sig"))
    if path.is_dir():
        try:
            out = subprocess.run(["git", "-C", str(path), "show", f"HEAD:{rel}"], capture_output=True, check=True)
            rev = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, check=True)
            return ColdSource(str(path), split, rev.stdout.decode().strip(), out.stdout.decode("utf-8-sig"))
        except (OSError, subprocess.CalledProcessError):
            pass
    raise ColdError(f"{path}: COLD not found (no {rel}, neither a file nor in a git HEAD); fetch "
                    "https://github.com/thu-coai/COLDataset locally and pass its path")


def rows(text: str) -> list[dict]:
    """Rows with a non-empty TEXT and a label 0/1 (the unnamed index column dropped)."""
    out = []
    for x in csv.DictReader(io.StringIO(text)):
        t = (x.get("TEXT") or "").strip()
        if t and x.get("label") in ("0", "1"):
            out.append({"text": t, "label": int(x["label"]), "topic": x.get("topic") or "",
                        "fine": x.get("fine-grained-label") or ""})
    return out


def to_one_person(text: str, max_len: int = 60) -> bool:
    """Addressed to one person (你/您, no 你们/大家), naming no group, short enough for a turn."""
    return (len(text) <= max_len and bool(_SINGULAR.search(text)) and not _PLURAL.search(text)
            and not _GROUP.search(text))


def select(items: list[dict], neg_ratio: float = 1.0, max_len: int = 60, seed: int = 0,
           max_pos: Optional[int] = None) -> tuple[list[dict], list[dict]]:
    """(positives, negatives): offensive / safe comments to one person (:func:`to_one_person`);
    a row with ``fine`` = 1 (attacks an individual) is a positive whatever its wording, one with
    ``fine`` = 2 (attacks a group) never.  Negatives subsampled to ``neg_ratio`` × positives
    (seeded, reproducible)."""
    pos, neg = [], []
    for x in items:
        if x["label"] == 1:
            if x["fine"] == "1" or (x["fine"] != "2" and to_one_person(x["text"], max_len)):
                pos.append(x)
        elif to_one_person(x["text"], max_len):
            neg.append(x)
    rng = np.random.default_rng(seed)
    if max_pos is not None and len(pos) > max_pos:
        pos = [pos[k] for k in sorted(rng.choice(len(pos), max_pos, replace=False))]
    n_neg = int(round(neg_ratio * len(pos)))
    if len(neg) > n_neg:
        neg = [neg[k] for k in sorted(rng.choice(len(neg), n_neg, replace=False))]
    return pos, neg
