"""Competency frameworks (levels, scale, categories, competencies), ratings and the skill matrix."""
