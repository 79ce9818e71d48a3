"""Projects, sprints and milestones tracked against them; imports from Jira and GitHub."""
