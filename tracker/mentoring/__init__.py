"""Mentoring: 1:1 and mentoring sessions, action items, growth plans and the calendar feed."""
