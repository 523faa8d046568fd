"""Mentoring and the peer-learning network: mentor assignment, review of submissions,
the mentoring log, mentees' feedback on mentors, and learning circles' discussions."""
