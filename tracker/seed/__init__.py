"""The demo organisation and the org-scale dataset: composition, may import every feature."""
