"""Data files shipped with gdprguard (word lists used by the detectors)."""
