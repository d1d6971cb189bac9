"""Plumbing every app's pages and API share, below `accounts` (it imports no app of ours)."""
