"""Production measurement and auditor calibration over the review database.

- ``sampling``   抽检: a weekly, agent-stratified, seeded random sample of unflagged calls;
- ``metrics``    precision per rule and the miss rate (Wilson intervals) from supervisors' decisions;
- ``agreement``  Cohen's / Fleiss' κ per category for calibration rounds, and the disagreements;
- ``decisions``  supervisors' decisions as training labels for the learned second opinion;
- ``store``      the tables (created on first use beside the Store's own).

Imports only ``core`` and ``store``: ``report``, ``batch``, ``web`` and ``cli`` build on it.
"""
