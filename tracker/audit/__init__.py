"""The audit log: who created, changed, archived or exported what, and when."""
