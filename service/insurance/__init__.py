"""Social insurance and housing fund: city policies, bases and contributions."""
