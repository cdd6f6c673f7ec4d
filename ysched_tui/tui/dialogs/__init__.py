"""Modal dialogs of the console: confirmations, rescheduling and manual triggers."""
