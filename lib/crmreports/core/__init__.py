"""Shared foundations every layer may use: periods, scopes, local time, working days, formatting, labels."""
