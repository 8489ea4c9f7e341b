"""The pure engine: normalise a paste, match it, run the guided session. No network, no clock, no UI."""
