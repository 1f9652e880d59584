"""The domain: roadmap progress, cohorts, pace. No Discord here, only ids and plain values."""
