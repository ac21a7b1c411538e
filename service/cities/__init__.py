"""City reference figures: minimum wage and average wage, by effective date."""
