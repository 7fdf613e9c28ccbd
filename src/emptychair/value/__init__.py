"""Customer value: RFM, probabilistic CLV with uncertainty, segments, concentration, cohorts."""
