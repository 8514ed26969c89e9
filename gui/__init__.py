"""Qt widgets, item models, undo commands and background workers of the Tandai app."""
