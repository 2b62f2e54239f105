"""Stage 5, scoring: supervision-form rubrics, scorecards and penalty referrals."""
