"""The one GitHub client: REST calls, App authentication, typed records."""
