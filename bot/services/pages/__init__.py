"""Cohort and member web pages: their signed links, who may hand them out, and what they show."""
