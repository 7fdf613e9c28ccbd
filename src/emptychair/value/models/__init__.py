"""Estimators of customer value: one file per model over a shared base."""
