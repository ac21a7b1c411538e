"""Professional grade evaluation (职级评定): criteria, campaigns, decisions and the dated grade history."""
