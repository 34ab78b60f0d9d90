"""The App's jobs: PR sync, commands, check actions, and publishing what they produce."""
