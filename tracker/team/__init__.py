"""Teams, their leads and the member roster."""
