"""Mentoring and the peer-learning network: mentor assignment, review of submissions,
the mentoring log, mentees' feedback on mentors, and learning circles' discussions."""

# Loaded with the package so that wherever learning is used with mentoring, a new
# submission tells the trainee's mentor (review listens to `learning.events`).
from iil_lms.mentoring import review as review
