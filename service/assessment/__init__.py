"""Assessment rules: daily points, weighted scores, ratings, appeals and grade evaluation."""
