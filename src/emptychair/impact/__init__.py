"""Impact: the driver tree from customer behaviour to money, what-if scenarios, initiatives."""
