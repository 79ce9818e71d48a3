"""Accounts: login, logout, passwords, invitations, admin user management and roles."""
