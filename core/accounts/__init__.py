"""Accounts: users, roles, logins and their expiry, and the API keys (secrets) kept out of logs.
"""
