"""Satisfaction survey (社会认可度, S1)."""
