"""The SQLite audit history (calls, findings, append-only reviews, scorecards, referrals, runs, users)."""
