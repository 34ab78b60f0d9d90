"""Every git and work-tree read and write."""
