"""Extraction: files and archives in, Documents (text, blocks, meta) out."""
