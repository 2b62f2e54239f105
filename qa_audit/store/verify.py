"""Check a database against its evidence chain (``qa_audit.store.chain``): the store-level half of
``qa-audit verify`` (the scores/referrals recomputation lives above, in ``qa_audit.batch.verify``).

    report = check_store(store)            # integrity, chain links, rows vs chain, recordings
    report.ok, report.problems[0].line()

Checks, in this order (each problem names table, id, what differs in Chinese + the technical detail):

1. ``PRAGMA integrity_check`` (a damaged file stops here);
2. the chain itself: seq contiguous, each ``prev_hash`` = the previous row's ``hash``, each ``hash``
   recomputed, each purge entry's list of removed records, ``meta.chain_head`` = the last row;
3. every ``calls`` / ``findings`` / ``reviews`` row matches its latest chain entry (a row edited,
   inserted or deleted behind the app's back shows), records purged by retention excepted;
4. every recording (``calls.audio``) exists with the sha256 stored when the call was saved.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

from qa_audit.store import chain as C

TABLE_OF = {"call": "calls", "finding": "findings", "review": "reviews"}


@dataclass
class Problem:
    table: str
    id: str
    what: str                # Chinese, for the supervisor
    detail: str = ""         # technical: columns, hashes, values

    def line(self) -> str:
        return f"{self.table} {self.id}：{self.what}" + (f" [{self.detail}]" if self.detail else "")


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    head: tuple[int, str] = (0, C.GENESIS)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, table: str, id: Any, what: str, detail: str = "") -> None:
        self.problems.append(Problem(table, str(id), what, detail))


def _short(v: Any, n: int = 60) -> str:
    s = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else repr(v)
    return s if len(s) <= n else s[:n] + "…"


def _diff_fields(stored: dict[str, Any], now: dict[str, Any], current_row: dict[str, Any]) -> list[str]:
    """``col: stored h16 ≠ now h16 (now: value)`` for each column that differs (manifest excluded)."""
    out = []
    for k in sorted((set(stored) | set(now)) - {"@findings"}):
        a, b = stored.get(k), now.get(k)
        if a != b:
            val = current_row.get(k)
            out.append(f"{k}: 入库时 {a or '(空)'} ≠ 现在 {b or '(空)'}" + (f"（现值 {_short(val)}）" if b else "（现已为空）"))
    return out


def check_integrity(con: sqlite3.Connection, rep: Report, label: str) -> bool:
    try:
        res = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as e:
        rep.add("database", label, "数据库文件已损坏，无法校验", f"{type(e).__name__}: {e}")
        return False
    if res != ["ok"]:
        rep.add("database", label, "数据库文件已损坏（PRAGMA integrity_check 未通过）", "; ".join(res[:5]))
        return False
    return True


def check_chain(con: sqlite3.Connection, rep: Report) -> dict[tuple[str, str], dict[str, Any]]:
    """Walk the chain; returns the latest live entry per (kind, ref) (purged records left out)."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    purged_lists: dict[int, list[tuple[str, str]]] = {}
    for r in con.execute("SELECT purge_seq, kind, ref FROM chain_purged ORDER BY purge_seq, kind, ref"):
        purged_lists.setdefault(int(r[0]), []).append((str(r[1]), str(r[2])))
    prev_seq, prev_hash, n = 0, C.GENESIS, 0
    cur = con.execute("SELECT seq, kind, ref, call_id, content_sha256, fields_json, created_at, prev_hash, hash "
                      "FROM chain ORDER BY seq")
    purge_seqs: set[int] = set()
    for seq, kind, ref, call_id, content, fj, at, prev, h in cur:
        n += 1
        where = f"seq={seq}"
        if seq != prev_seq + 1:
            rep.add("chain", where, f"证据链缺少第 {prev_seq + 1}–{seq - 1} 条（被删除）",
                    f"seq jumps from {prev_seq} to {seq}")
        if prev != prev_hash:
            rep.add("chain", where, "证据链断开：与前一条的哈希不衔接",
                    f"prev_hash {prev[:16]}… ≠ hash of seq {prev_seq} {prev_hash[:16]}…")
        want = C.link_hash(seq, kind, ref, call_id, content, fj, at, prev)
        if want != h:
            rep.add("chain", where, f"证据链条目被改动（{kind} {ref}）", f"hash {h[:16]}… ≠ recomputed {want[:16]}…")
        try:
            fields = json.loads(fj)
        except ValueError:
            fields = {}
        if kind == "purge":
            purge_seqs.add(seq)
            listed = purged_lists.get(seq, [])
            if C.sha256_text(C.cjson(sorted([k, r] for k, r in listed))) != content:
                rep.add("chain_purged", where, "保留期清理记录的清单被改动",
                        f"{len(listed)} records listed, content_sha256 mismatch")
            for key in listed:
                e = latest.get(key)
                if e is not None and e["seq"] < seq:
                    del latest[key]
        elif kind in TABLE_OF:
            latest[(kind, ref)] = {"seq": seq, "content": content, "fields": fields, "call_id": call_id}
        prev_seq, prev_hash = seq, h
    for s in set(purged_lists) - purge_seqs:
        rep.add("chain_purged", f"purge_seq={s}", "清理清单没有对应的证据链条目", "chain_purged rows without a purge entry")
    rep.counts["chain"] = n
    rep.head = (prev_seq, prev_hash)
    row = con.execute("SELECT value FROM meta WHERE key='chain_head'").fetchone()
    if n and (row is None or row[0] != f"{prev_seq}:{prev_hash}"):
        rep.add("chain", f"seq={prev_seq}", "证据链末端与记录的末端不一致（末尾条目被删除？）",
                f"meta.chain_head {row[0] if row else None} ≠ last row {prev_seq}:{prev_hash[:16]}…")
    return latest


def check_rows(con: sqlite3.Connection, rep: Report, latest: dict[tuple[str, str], dict[str, Any]]) -> None:
    seen: set[tuple[str, str]] = set()
    findings_by_call: dict[str, dict[str, dict[str, Any]]] = {}
    for f in C.rows(con, "SELECT * FROM findings ORDER BY rowid"):
        findings_by_call.setdefault(str(f["call_id"]), {})[str(f["finding_id"])] = f
    n_calls = n_findings = n_reviews = 0
    listed: set[str] = set()
    for row in C.rows(con, "SELECT * FROM calls ORDER BY rowid"):
        n_calls += 1
        cid = str(row["call_id"])
        seen.add(("call", cid))
        e = latest.get(("call", cid))
        fs = findings_by_call.pop(cid, {})
        manifest = {fid: C.finding_content(f)[0] for fid, f in fs.items()}
        if e is None:
            rep.add("calls", cid, "这通电话不在证据链中（未经本程序写入）", "no chain entry for call")
            continue
        content, fields = C.call_content(row, manifest)
        stored_manifest = e["fields"].get("@findings") or {}
        listed |= set(stored_manifest)
        if content != e["content"]:
            diffs = _diff_fields(e["fields"], fields, row)
            if diffs:
                rep.add("calls", cid, "通话记录与入库时不一致", "; ".join(diffs))
            elif stored_manifest == fields["@findings"]:
                rep.add("calls", cid, "通话记录与入库时不一致", f"content_sha256 {e['content'][:16]}… ≠ {content[:16]}…")
        # findings of this call against the manifest saved with it
        for fid, f in fs.items():
            n_findings += 1
            sha = manifest[fid]
            fe = latest.get(("finding", fid))
            if fid not in stored_manifest:
                rep.add("findings", fid, f"多出一条违规记录（通话 {cid}，未经本程序写入）",
                        f"rule={f.get('rule')} evidence={_short(f.get('evidence'))}")
            elif fe is None or sha != fe["content"] or stored_manifest[fid] != sha[:16]:
                stored_fields = fe["fields"] if fe is not None and fe["content"][:16] == stored_manifest[fid] else {}
                diffs = _diff_fields(stored_fields, C.finding_content(f)[1], f) if stored_fields else []
                rep.add("findings", fid, f"违规记录与入库时不一致（通话 {cid}）",
                        "; ".join(diffs) or f"manifest sha256 {stored_manifest[fid]}, chain entry "
                        f"{fe['content'][:16] if fe else None} (seq {fe['seq'] if fe else None}), now {sha[:16]}")
        for fid in sorted(set(stored_manifest) - set(fs)):
            rep.add("findings", fid, f"违规记录被删除（通话 {cid}）", "listed in the call's chain manifest, no row")
    for cid, fs in findings_by_call.items():  # findings of calls that have no calls row
        for fid in fs:
            n_findings += 1
            rep.add("findings", fid, f"违规记录所属的通话 {cid} 不存在", "orphan findings row")
    for r in C.rows(con, "SELECT * FROM reviews ORDER BY review_id"):
        n_reviews += 1
        rid = str(r["review_id"])
        seen.add(("review", rid))
        e = latest.get(("review", rid))
        sha, fields = C.review_content(r)
        if e is None:
            rep.add("reviews", rid, "复核记录不在证据链中（未经本程序写入）",
                    f"finding={r.get('finding_id')} reviewer={r.get('reviewer')} action={r.get('action')}")
        elif sha != e["content"]:
            rep.add("reviews", rid, "复核记录与当时的决定不一致（被改动）",
                    "; ".join(_diff_fields(e["fields"], fields, r)) or "content_sha256 mismatch")
    for (kind, ref), e in sorted(latest.items(), key=lambda kv: kv[1]["seq"]):
        if kind in ("call", "review") and (kind, ref) not in seen:
            rep.add(TABLE_OF[kind], ref, "记录被删除（证据链中有，数据库中没有）",
                    f"chain seq={e['seq']} call={e['call_id']}")
    rep.counts.update(calls=n_calls, findings=n_findings, reviews=n_reviews)


def check_recordings(con: sqlite3.Connection, rep: Report,
                     progress: Optional[Callable[[int, int], None]] = None) -> None:
    rs = con.execute("SELECT call_id, audio, audio_sha256 FROM calls WHERE audio IS NOT NULL AND audio != '' "
                     "ORDER BY rowid").fetchall()
    checked = unhashed = 0
    for i, (cid, audio, stored) in enumerate(rs):
        if progress:
            progress(i, len(rs))
        if not stored:
            unhashed += 1
            continue
        now = C.file_sha256(audio)
        checked += 1
        if now is None:
            rep.add("calls", cid, "录音文件不存在或无法读取", str(audio))
        elif now != stored:
            rep.add("calls", cid, "录音文件与入库时不一致（被修改或替换）",
                    f"{audio}: sha256 {stored[:16]}… at audit time, now {now[:16]}…")
    if unhashed:
        rep.warnings.append(f"{unhashed} 通电话入库时没有记录录音哈希（旧版本或当时文件不存在），其录音未校验")
    rep.counts["recordings"] = checked


def check_store(store: Any, audio: bool = True) -> Report:
    """Every store-level check on ``store`` (a ``Store``), in one read snapshot."""
    rep = Report()
    con = store.conn
    if not check_integrity(con, rep, str(store.path)):
        return rep
    con.execute("BEGIN")  # one consistent snapshot while the review app or a run keeps writing
    try:
        latest = check_chain(con, rep)
        check_rows(con, rep, latest)
        if audio:
            check_recordings(con, rep)
    finally:
        con.execute("COMMIT")
    return rep


def check_chain_only(con: sqlite3.Connection, label: str) -> Report:
    """Integrity + chain + rows (no recordings): what a backup must pass before it is restored."""
    rep = Report()
    if not check_integrity(con, rep, label):
        return rep
    have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "chain" not in have:
        rep.add("chain", label, "没有证据链（不是本版本 qa-audit 的数据库或备份）", "table chain missing")
        return rep
    latest = check_chain(con, rep)
    check_rows(con, rep, latest)
    return rep


def first_lines(problems: Iterable[Problem], n: int) -> list[str]:
    return [p.line() for p, _ in zip(problems, range(n))]
