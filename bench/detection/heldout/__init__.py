"""Hand-written held-out test set for the detection benchmark (never used for tuning)."""
