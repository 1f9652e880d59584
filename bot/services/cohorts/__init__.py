"""Cohorts: their settings, calendar, breaks, the Discord objects they keep, reports and deletion."""
