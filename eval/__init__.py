"""Evaluation harness: score plain stand-off records (gold vs predictions); never imports spaCy."""
