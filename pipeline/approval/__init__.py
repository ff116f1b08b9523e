"""Sending the approval email: one Notifier interface, one implementation per module."""
