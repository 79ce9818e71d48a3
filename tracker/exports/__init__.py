"""Exports: the skill matrix as CSV, XLSX and JSON (builders take a matrix, return bytes)."""
