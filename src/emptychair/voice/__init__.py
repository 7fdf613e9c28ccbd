"""Voice of the customer: scores with intervals, verbatims, themes, drivers, irritants."""
