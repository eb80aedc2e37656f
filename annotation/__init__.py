"""Annotations at the edges: gold data, guidelines, splits, and the Label Studio loop."""
