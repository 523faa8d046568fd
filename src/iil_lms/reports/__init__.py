"""Reports that read what the cohort already records: GESI figures, exports."""
